complete -c ct-filter -l event-id -d 'Event ID (eventID)' -r
complete -c ct-filter -l event-name -d 'Event name (eventName), such as ConsoleLogin or RunInstances' -r
complete -c ct-filter -l event-source -d 'Event source (eventSource): ec2.amazonaws.com, or just ec2' -r
complete -c ct-filter -l read-only -d 'Read-only calls (true) or calls that change something (false): readOnly' -r -f -a "true\t''
false\t''"
complete -c ct-filter -l user -d 'User name as the console shows it: userIdentity.userName, the session name of an assumed role, the last part of the identity\'s ARN, or root for the root user' -r
complete -c ct-filter -l resource-type -d 'Resource type in resources[].type, such as AWS::S3::Object; for an event without resources[], the type of a resource its request names, as the console shows it (AWS::CloudFormation::Stack) or by its IAM name (subnet). See RESOURCES' -r
complete -c ct-filter -l resource-name -d 'Resource ARN in resources[].ARN, the last part of it, or its name as the console shows it (a stack\'s name); for an event without resources[], of the resources its request names. See RESOURCES' -r
complete -c ct-filter -l access-key-id -d 'Access key ID (userIdentity.accessKeyId)' -r
complete -c ct-filter -l start -d 'Events at or after TIME (eventTime). TIME: epoch seconds, ISO 8601 (2017-06-01T13:00Z), a date, \'2017-06-01 1:00 pm\', \'01-27-2015,01:16PM\', \'2017-06-01 13:00 Australia/Melbourne\', now, today, yesterday, \'last month\', -2h, -7d, -1mo, \'2 days ago\' (see TIMES in the man page); in the zone of --tz unless it has an offset or a zone' -r
complete -c ct-filter -l end -d 'Events at or before TIME (inclusive, as in lookup-events). A date alone, today, yesterday, \'this month\' or \'last month\' means the end of that day or month: --end 2017-06-01 takes in the whole of 1 June' -r
complete -c ct-filter -l arn -d 'Identity ARN: userIdentity.arn or the ARN of the role a session was issued for' -r
complete -c ct-filter -l role -d 'Assumed role, by name (deploy-agent) or ARN: userIdentity.sessionContext.sessionIssuer' -r
complete -c ct-filter -l identity-type -d 'Identity type (userIdentity.type): Root, IAMUser, AssumedRole, FederatedUser, AWSService, AWSAccount, IdentityCenterUser, SAMLUser, WebIdentityUser, Unknown, Role, Directory' -r
complete -c ct-filter -l account -d 'Account: recipientAccountId or userIdentity.accountId' -r
complete -c ct-filter -l region -d 'Region (awsRegion)' -r
complete -c ct-filter -l source-ip -d 'Source address (sourceIPAddress): an IPv4 or IPv6 address, a CIDR block, or a service name such as ec2.amazonaws.com (which never matches a CIDR)' -r
complete -c ct-filter -l user-agent -d 'User agent (userAgent); usually a glob, such as \'aws-cli/*\'' -r
complete -c ct-filter -l error-code -d 'Error code (errorCode), such as AccessDenied or \'*UnauthorizedOperation\'' -r
complete -c ct-filter -l event-type -d 'Event type (eventType): AwsApiCall, AwsServiceEvent, AwsConsoleSignIn, ...' -r
complete -c ct-filter -l category -d 'Event category: management, data, insight or networkactivity (any case). Records older than eventVersion 1.07 have none: managementEvent false means data, an Insights event type means insight, anything else management' -r
complete -c ct-filter -l where -d 'Any field: a dotted PATH (requestParameters.instanceType) equal to VALUE. VALUE is compared with a string (a glob when it holds * or ?), a number (1 equals 1.0), a boolean (true, false) or null, whichever the field holds; a path through an array matches when any element does' -r
complete -c ct-filter -l has -d 'Any field: PATH is present and not null' -r
complete -c ct-filter -l limit -d 'Stop after N matching events, reading no further' -r
complete -c ct-filter -s j -l jobs -d 'Read and split N files at once (default: the number of CPUs). The output is the same for every N' -r
complete -c ct-filter -l tz -d 'Read times written without an offset in ZONE: an IANA name (Australia/Melbourne), an abbreviation that stands for one offset (AEST: +10:00 all year), an offset (+10:00), UTC, or local (the system\'s zone: TZ, else /etc/localtime). See TIMES in the man page' -r
complete -c ct-filter -l error -d 'Calls that failed: errorCode is present, or a console sign-in failed (responseElements.ConsoleLogin is Failure, with an errorMessage and often no errorCode)'
complete -c ct-filter -l no-error -d 'Calls that succeeded: no errorCode, and no failed console sign-in'
complete -c ct-filter -s v -l invert -d 'Write the events that do not match instead'
complete -c ct-filter -s c -l count -d 'Write only the number of matching events'
complete -c ct-filter -s q -l quiet -d 'Write nothing; the exit status says whether an event matched. Stops at the first'
complete -c ct-filter -l stats -d 'Print a summary line on stderr (events read, matched, errors) even without errors'
complete -c ct-filter -l verbose -d 'When nothing matched, say on stderr what came close (values that match without case, the nearest values seen), as is done anyway when stderr is a terminal. Not with -q or --invert'
complete -c ct-filter -l line-buffered -d 'Flush after every record, for following a live stream (default: write in large blocks)'
complete -c ct-filter -l strict -d 'Stop at the first bad input (exit status 2) instead of reporting it and going on'
complete -c ct-filter -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ct-filter -s V -l version -d 'Print version'
