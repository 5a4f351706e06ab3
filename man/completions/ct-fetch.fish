complete -c ct-fetch -l plan -d 'Fetch nothing: write the window as about N independent work units, one JSON line each, to run on many machines with --spec (see UNITS)' -r
complete -c ct-fetch -l spec -d 'Run the work units in FILE (\'-\': standard input), as --plan wrote them, and write their events, one per line: each event once, only those of its unit\'s window (see UNITS)' -r -F
complete -c ct-fetch -l start -d 'The start of the window (see TIMES). Required, except with --since-last (see there) and --lookup (default: 90 days back, as far as event history goes)' -r
complete -c ct-fetch -l end -d 'The end of the window (default: now; a date alone is the whole day)' -r
complete -c ct-fetch -l account -d 'Only this account\'s files (repeatable; default: every account under AWSLogs/)' -r
complete -c ct-fetch -l org-id -d 'Only this organization\'s files, for an organization trail (repeatable; default: every organization and every account outside one)' -r
complete -c ct-fetch -l region -d 'Only this region\'s files (repeatable; default: every region folder). This is the trail\'s region folder, not the bucket\'s region (see --bucket-region). With --lookup, the regions whose event history is read (default: the profile\'s region)' -r
complete -c ct-fetch -s o -l output-dir -d 'Mirror the files under DIR, keeping their keys as paths' -r -F
complete -c ct-fetch -l max-bytes -d 'Refuse to fetch when the window holds more than SIZE bytes (before fetching anything). SIZE is a number with an optional unit: kB, MB, GB, TB (powers of 1000) or K, M, G, T, KiB, MiB, GiB, TiB (powers of 1024)' -r
complete -c ct-fetch -l delivery-lag -d 'How long after an event its file may be delivered: files delivered up to this long after --end are fetched too (30m, 2h, 0)' -r
complete -c ct-fetch -s j -l jobs -d 'Requests at once' -r
complete -c ct-fetch -l retries -d 'Times to try a request again after throttling (503 SlowDown), a server error, a timeout or a transfer cut off, with a growing pause (about 100 ms, doubling up to 5 s, with random jitter). With --lookup see LOOKUP: after throttling, 1 s doubling up to 16 s' -r
complete -c ct-fetch -l profile -d 'Use this profile of the AWS config and credentials files' -r
complete -c ct-fetch -l bucket-region -d 'The bucket\'s region (default: asked of S3)' -r
complete -c ct-fetch -l endpoint-url -d 'Send requests to this endpoint instead of AWS\'s (an S3-compatible store, a test server); implies --path-style. Default: AWS_ENDPOINT_URL_S3 (for CloudTrail\'s requests, --lookup and ListPublicKeys, AWS_ENDPOINT_URL_CLOUDTRAIL), else AWS_ENDPOINT_URL, as the AWS CLI reads them (none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true)' -r
complete -c ct-fetch -l max-events -d 'Stop after N events (the newest N: the API returns the newest first), with a note' -r
complete -c ct-fetch -l event-id -d 'Event ID (eventID)' -r
complete -c ct-fetch -l event-name -d 'Event name (eventName), such as ConsoleLogin or RunInstances' -r
complete -c ct-fetch -l event-source -d 'Event source (eventSource): ec2.amazonaws.com, or just ec2' -r
complete -c ct-fetch -l read-only -d 'Read-only calls (true) or calls that change something (false): readOnly' -r -f -a "true\t''
false\t''"
complete -c ct-fetch -l user -d 'User name as the console shows it: userIdentity.userName, the session name of an assumed role, the last part of the identity\'s ARN, or root for the root user' -r
complete -c ct-fetch -l resource-type -d 'Resource type in resources[].type, such as AWS::S3::Object; for an event without resources[], the type of a resource its request names, as the console shows it (AWS::CloudFormation::Stack) or by its IAM name (subnet). See RESOURCES' -r
complete -c ct-fetch -l resource-name -d 'Resource ARN in resources[].ARN, the last part of it, or its name as the console shows it (a stack\'s name); for an event without resources[], of the resources its request names. See RESOURCES' -r
complete -c ct-fetch -l access-key-id -d 'Access key ID (userIdentity.accessKeyId)' -r
complete -c ct-fetch -l tz -d 'Read times written without an offset in ZONE: an IANA name (Australia/Melbourne), an abbreviation that stands for one offset (AEST: +10:00 all year), an offset (+10:00), UTC, or local (the system\'s zone: TZ, else /etc/localtime). See TIMES in the man page' -r
complete -c ct-fetch -l stdout -d 'Write the gzip files to standard output in key order (a multi-member gzip stream)'
complete -c ct-fetch -l list -d 'Fetch nothing: write one object record per file (see OBJECT RECORDS)'
complete -c ct-fetch -l dry-run -d 'Fetch nothing: print how many files and bytes would be fetched (with -o, what is not already in DIR); with --lookup, how many requests the window needs at least'
complete -c ct-fetch -l since-last -d 'Go on from where the last run into DIR without errors ended, less --delivery-lag (for cron jobs; kept in DIR/.ct-fetch-since); needs -o. In a DIR with no such record, start at its newest delivery less the lag; in an empty DIR, at --start, or without it 24 hours before now (said on stderr)'
complete -c ct-fetch -l digests -d 'Also fetch the digest files (CloudTrail-Digest/) that cover the window\'s log files. With -o each digest comes with its signature sidecar .NAME.meta.json (its S3 metadata, where CloudTrail keeps the signature), so that the mirror stays verifiable by ct-verify'
complete -c ct-fetch -l insights -d 'Also fetch the Insights files (CloudTrail-Insight/) of the window; with --lookup, read Insights events instead of management events'
complete -c ct-fetch -l path-style -d 'Address buckets as ENDPOINT/BUCKET rather than BUCKET.ENDPOINT'
complete -c ct-fetch -l no-sign-request -d 'Send unsigned requests to S3 (public buckets); no credentials are looked up'
complete -c ct-fetch -l lookup -d 'Read the account\'s event history (the LookupEvents API: the last 90 days of management events) instead of a trail\'s files, and write its events, one per line, each region\'s oldest first. See LOOKUP'
complete -c ct-fetch -s q -l quiet -d 'Do not write the summary line (errors are still reported)'
complete -c ct-fetch -s v -l verbose -d 'Write notes on stderr (accounts named but absent, keys in day folders that are not trail file names, and, as on a terminal, why a window has no files)'
complete -c ct-fetch -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ct-fetch -s V -l version -d 'Print version'
