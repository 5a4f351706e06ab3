//! The mapping on any event the reader takes: never a panic; an action is marked known
//! exactly when the catalog holds it; asking for resources and context changes no action;
//! only iam:PassRole and a create's tagging action (iam/src/renames.rs, tag on create) are
//! ever inferred; looking at the request's text before reading it changes no answer.
#![no_main]

use ct_iam::mapping::{self, Mapping};
use ct_iam::{Catalog, Event};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(ev) = Event::parse(data) else { return };
    let detailed = mapping::map_with(&ev, true);
    assert_eq!(detailed, mapping::map_reading_all(&ev, true), "the same answer without the look at the text");
    let names = mapping::map_with(&ev, false);
    let (Mapping::Actions(detailed), Mapping::Actions(names)) = (&detailed, &names) else {
        assert_eq!(detailed, names, "the same answer with and without details");
        return;
    };
    let key = |u: &mapping::Use<'_>| (u.action.to_string(), u.known, u.inferred);
    assert_eq!(detailed.iter().map(key).collect::<Vec<_>>(), names.iter().map(key).collect::<Vec<_>>());
    let catalog = Catalog::get();
    for u in detailed {
        assert_eq!(u.known, catalog.action_named(&u.action).is_some(), "known means in the catalog: {}", u.action);
        if u.action == "iam:PassRole" {
            assert!(u.inferred, "iam:PassRole is never called: always inferred");
        } else if u.inferred {
            let tagging = ct_iam::renames::tag_on_create_rules().any(|(_, _, a)| a.eq_ignore_ascii_case(&u.action));
            assert!(tagging, "only PassRole and tag-on-create actions are inferred: {}", u.action);
        }
    }
});
