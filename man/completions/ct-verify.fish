complete -c ct-verify -l start -d 'The start of the window: digests and log files delivered from then on (see TIMES)' -r
complete -c ct-verify -l end -d 'The end of the window (default: now; a date alone is the whole day)' -r
complete -c ct-verify -l account -d 'Only this account\'s files (repeatable; default: every account under AWSLogs/)' -r
complete -c ct-verify -l org-id -d 'Only this organization\'s files, for an organization trail (repeatable)' -r
complete -c ct-verify -l region -d 'Only this region\'s files (repeatable; default: every region folder)' -r
complete -c ct-verify -l public-keys -d 'CloudTrail\'s public keys: the output of `aws cloudtrail list-public-keys` (either AWS CLI version) covering the window. Without it, they are asked of CloudTrail (ListPublicKeys, in the trail\'s home region)' -r -F
complete -c ct-verify -s j -l jobs -d 'Requests at once' -r
complete -c ct-verify -l retries -d 'Times to try a request again after throttling, a server error, a timeout or a cut-off transfer' -r
complete -c ct-verify -l profile -d 'Use this profile of the AWS config and credentials files' -r
complete -c ct-verify -l bucket-region -d 'The bucket\'s region (default: asked of S3)' -r
complete -c ct-verify -l endpoint-url -d 'Send requests to this endpoint instead of AWS\'s (an S3-compatible store, a test server); implies --path-style. Default: AWS_ENDPOINT_URL_S3 (for CloudTrail\'s requests, --lookup and ListPublicKeys, AWS_ENDPOINT_URL_CLOUDTRAIL), else AWS_ENDPOINT_URL, as the AWS CLI reads them (none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true)' -r
complete -c ct-verify -l tz -d 'Read times written without an offset in ZONE: an IANA name (Australia/Melbourne), an abbreviation that stands for one offset (AEST: +10:00 all year), an offset (+10:00), UTC, or local (the system\'s zone: TZ, else /etc/localtime). See TIMES in the man page' -r
complete -c ct-verify -l path-style -d 'Address buckets as ENDPOINT/BUCKET rather than BUCKET.ENDPOINT'
complete -c ct-verify -l no-sign-request -d 'Send unsigned requests to S3 (public buckets); no credentials are looked up'
complete -c ct-verify -s v -l verbose -d 'Write notes on stderr'
complete -c ct-verify -s q -l quiet -d 'Do not write the summary line (errors are still reported)'
complete -c ct-verify -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ct-verify -s V -l version -d 'Print version'
