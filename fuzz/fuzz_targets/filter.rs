//! ct-filter's predicates: globs, CIDR ranges, --where and times built from arbitrary text,
//! then tested on an arbitrary line. Never a panic.
#![no_main]

use ct_common::fields::Found;
use ct_common::time::Time;
use ct_filter::predicate::{Filter, Spec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    // FIELD \n FIELD \n ... \n LINE: the fields become predicate values.
    let mut parts: Vec<&str> = s.split('\n').collect();
    let line = parts.pop().unwrap_or("");
    let v = |i: usize| parts.get(i).map(|x| vec![x.to_string()]).unwrap_or_default();
    let spec = Spec {
        event_name: v(0),
        user: v(1),
        source_ip: v(2),
        wheres: v(3),
        has: v(4),
        role: v(5),
        start: parts.get(6).map(|x| x.to_string()),
        end: parts.get(7).map(|x| x.to_string()),
        resource_name: v(8),
        category: v(9),
        ..Spec::default()
    };
    let Ok(filter) = Filter::new(&spec, Time::from_secs(1_496_322_000)) else { return };
    let mut found = Found::default();
    let _ = filter.test(line.as_bytes(), &mut found);
    let event = br#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","userName":"a"},"eventTime":"2017-06-01T13:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","sourceIPAddress":"10.1.2.3","resources":[{"ARN":"arn:aws:ec2:x:1:instance/i-1"}],"requestParameters":{"a":[1,{"b":null}]}}"#;
    let mut found = Found::default();
    let _ = filter.test(event, &mut found);
});
