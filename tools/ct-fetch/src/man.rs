//! The prose sections of ct-fetch's man page (after OPTIONS), also the end of its --help.

use ct_common::time;

/// Extra man page sections, rendered after OPTIONS by the man page generator.
pub const MAN_SECTIONS: &[(&str, &str)] = &[
    (
        "TIMES",
        // The same text as every tool's TIMES section. Day folders are UTC days whatever --tz
        // says (see the description).
        time::MAN_TIMES,
    ),
    (
        "OBJECT RECORDS",
        "--list writes one JSON object per file, sorted by key:\n\n\
         {\"key\":\"AWSLogs/111122223333/CloudTrail/ap-southeast-2/2017/06/01/111122223333_CloudTrail_ap-southeast-2_20170601T1310Z_a1b2c3d4e5f6a7b8.json.gz\",\"size\":2211,\"etag\":\"0f343b0931126a20f133d67c2b018a3b\",\"lastModified\":\"2017-06-01T13:10:41Z\",\"account\":\"111122223333\",\"region\":\"ap-southeast-2\",\"delivered\":\"2017-06-01T13:10:00Z\",\"kind\":\"log\"}\n\n\
         key: the object's key. size: bytes. etag: S3's entity tag without quotes (absent for a local folder). \
         lastModified: when the object was written. account, region, org (organization trails only): from the key. \
         delivered: the delivery time in the file name. kind: log, digest or insight.",
    ),
    (
        "FILES",
        "With -o DIR, a file is written as DIR/KEY. It is first written whole as .NAME.PID-N.partial in the same folder \
         (a new file, never through a link) and renamed when complete and of the listed size; readers that walk DIR \
         (ct-unzip, ct-filter) skip hidden names. --since-last keeps its place in DIR/.ct-fetch-since, moved on only by \
         a run without errors; the first run into an empty DIR starts at --start, or, without it, 24 hours before now \
         (a cron job's first run takes the last day, whatever its hour; stderr says so). Keys that are not plain paths (.., a leading /, \
         empty or hidden parts, control or bidirectional-text characters, backslashes), keys a listing returns outside \
         the folder asked for, and keys that differ only in case are refused with an error, and shown escaped: bucket \
         contents are not trusted. Only keys that follow the CloudTrail layout, in the folder their name says, are ever fetched.\n\n\
         With --digests, a digest DIR/.../NAME comes with its signature sidecar, the hidden file .NAME.meta.json beside it. \
         CloudTrail keeps a digest's signature in the object's S3 metadata (x-amz-meta-signature, \
         x-amz-meta-signature-algorithm, and for backfill digests x-amz-meta-backfill-generation-timestamp), not in the \
         file, so a plain download (aws s3 sync) loses it; the sidecar keeps it, so that the mirror stays verifiable by \
         ct-verify. It holds the object's user metadata as S3 returns it, without the x-amz-meta- prefix, keys lowercased \
         and sorted, as compact JSON without a newline: {\"signature\":\"HEX\",\"signature-algorithm\":\"SHA256withRSA\"}. \
         It comes with the GetObject of the digest (no other request) and is put in place, as files are, before the \
         digest is renamed: a digest under its final name has its sidecar. A digest without metadata gets none; log and \
         Insights files never do. From a local SOURCE, the sidecar beside a digest is copied, so a mirror of a mirror stays \
         verifiable. A digest already in DIR without its sidecar gets it from the metadata alone (HeadObject, or the \
         sidecar in a local SOURCE; asked again on each run while the source has none), and the summary line counts the \
         sidecars restored. Metadata is not trusted either: a key or value with a control character or a character \
         other than printable ASCII (or a space, in a key), a key over 128 bytes, a value over 2048 bytes (a signature is 512 hex digits for \
         a 2048-bit key) or over 8 KiB in all refuses the digest with an error naming the metadata key; the other files \
         still come.",
    ),
    (
        "UNITS",
        "--plan N cuts the window into about N work units, one JSON line each, for running it on many machines (the \
         Spark job of the README, or xargs -P):\n\n\
         {\"source\":\"s3://trail-bucket\",\"account\":\"111122223333\",\"region\":\"ap-southeast-2\",\"start\":\"2017-06-01T11:14:00Z\",\"end\":\"2017-06-01T14:10:59Z\",\"lag\":3600,\"late_from\":\"2017-06-01T00:00:00Z\",\"files\":5,\"bytes\":25441}\n\n\
         A unit is one account's and region's events of an event-time window, both ends inclusive; each account's and \
         region's window is cut at minutes, where the files (in delivery order) reach their share of the listing's \
         bytes, so the units' events are disjoint and together are the window's. --spec FILE (- for standard input) \
         runs units: it fetches each unit's files (delivered from its start, less 5 minutes, to its end plus the lag), \
         reads their events as ct-unzip does, keeps those of the unit's window, each eventID once, and writes them, \
         unit after unit. Neighbouring units share a few files and each keeps only its own events. Two deliveries of an \
         event carry its eventTime, so they meet in one unit, and removing duplicates per unit is exact. An event \
         delivered more than the lag after its unit's end is in no file its unit fetches: the unit whose window holds \
         that file's delivery less the lag keeps it (late_from bounds how far back), so the units give exactly the \
         events of ct-fetch --stdout | ct-unzip --dedupe | ct-filter --start --end on the whole window, and ct-actions \
         merges their action records into the single run's, byte for byte. Only an event delivered both on time and \
         again later than the lag could come out twice.",
    ),
    (
        "LOOKUP",
        "--lookup reads the account's event history with the LookupEvents API instead of a trail's files: the last 90 days \
         of each region's management events (data and network activity events are never there; --insights asks for \
         Insights events instead). No trail or bucket is needed; the credentials need cloudtrail:LookupEvents. Each event \
         is the CloudTrailEvent text AWS returned, with whitespace removed as ct-unzip removes it, one per line. The API \
         returns the newest first; ct-fetch keeps a region's events in a temporary file and writes them oldest first, as \
         a trail's files give them, regions in the order of --region (default: the profile's region, or AWS_REGION). The \
         window is --start (default: 90 days back) to --end (default: now), both inclusive.\n\n\
         The lookup attributes (--event-name, --user, --event-source, --read-only, --access-key-id, --event-id, \
         --resource-type, --resource-name) select events by ct-filter's rules (globs, any of repeated values, the \
         console's user name): the answer is that of ct-fetch --lookup | ct-filter with the same options. The API takes \
         one attribute with one exact value a request, so ct-fetch sends the first of --event-id, --access-key-id, --user, \
         --event-name, --event-source and --read-only whose values are all exact (a lookup for each value) and applies \
         every option to what comes back. --resource-type and --resource-name are never sent, since AWS matches them \
         against the resources it associates with an event, which is not ct-filter's rule; a lookup by them or by globs \
         alone reads the region's whole window.\n\n\
         LookupEvents takes two requests a second per account and region, each returning up to 50 events: at most 100 \
         events a second, 360,000 an hour, per region. Regions are read at once, each paced under its own limit. A \
         request refused for throttling, by a server error or a broken connection is sent again with the same \
         NextToken after a pause (after throttling a second, doubling up to 16 s; otherwise 200 ms doubling up to 5 s; \
         with jitter), up to --retries times; a NextToken that expired starts the lookup over from the oldest event \
         received, and no event is written twice. The summary line says how many requests were throttled and how long \
         that cost. On a terminal a progress line shows the events, pages, rate and time; --max-events N stops at N \
         events (the newest); --dry-run says how many requests the window needs at least. Errors name the region and \
         the request (lookup in ap-southeast-2 (EventName=ConsoleLogin, 2017-06-01T00:00:00Z to 2017-06-02T00:00:00Z): \
         page 1: InvalidTimeRangeException: ...); an AccessDeniedException names the permission needed. \
         --endpoint-url, else AWS_ENDPOINT_URL_CLOUDTRAIL or AWS_ENDPOINT_URL, sends the requests elsewhere.",
    ),
    (
        "NO FILES",
        "A window with no files is no error. When stderr is a terminal, or with -v, one line says why: the accounts and \
         regions asked for that SOURCE has no folder of, with those it has (no files for region ap-southeast2; the source \
         has ap-southeast-2, us-east-1), found with a few more delimiter listings; else the span of deliveries the window \
         took. Scripts (stderr not a terminal, no -v) see no such line.",
    ),
    (
        "CREDENTIALS",
        "The AWS SDK's standard chain: environment variables, the shared config and credentials files (--profile), SSO, \
         container and instance roles. The bucket's region is asked of S3 (HeadBucket) unless --bucket-region or \
         an endpoint is given (--endpoint-url, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL). Secrets are never printed.",
    ),
    (
        "EXIT STATUS",
        "0 when every file of the window was fetched, written or listed; 2 when any listing, file or signature sidecar \
         failed after its retries (the summary line comes first, the other files are still fetched), on a usage error, when the window \
         is above --max-bytes, or when nothing is under SOURCE's AWSLogs/. With --lookup: 0 when every lookup was read \
         to its end (or to --max-events), also when it held no event; 2 when a region's lookup failed after its retries \
         or an event could not be read (the events read, of that region and the others, are still written). A closed \
         standard output ends ct-fetch quietly with status 0.",
    ),
    (
        "EXAMPLES",
        r#"ct-fetch s3://trail-bucket --account 111122223333 --region ap-southeast-2 \
    --start '2017-06-01 1:00 pm' --end '2017-06-02 5:00 pm' -o logs/
ct-fetch s3://trail-bucket/prefix --start -1d --stdout \
    | ct-unzip | ct-filter --event-name ConsoleLogin
ct-fetch s3://trail-bucket --start -7d --dry-run
ct-fetch s3://trail-bucket --start -30d --max-bytes 5GB -o logs/
ct-fetch s3://trail-bucket --since-last -o /var/lib/ct/logs
ct-fetch --lookup --region us-east-1 --start '2017-06-01 12:00 AM' \
    --event-name ConsoleLogin | ct-show
ct-fetch --lookup --region ap-southeast-2 --start -7d --user alice \
    | ct-actions"#,
    ),
    ("SEE ALSO", "ct(7), ct-unzip(1), ct-filter(1), aws(1)"),
];
