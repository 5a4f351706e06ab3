# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ct_policy_global_optspecs
    string join \n include-denied resources= explain trail= restrict-region restrict= generalize guess compact split-dir= j/jobs= strict h/help V/version
end

function __fish_ct_policy_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ct_policy_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ct_policy_using_subcommand
    set -l cmd (__fish_ct_policy_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ct-policy -n "__fish_ct_policy_needs_command" -l resources -d 'Resources: general (the ARNs seen, generalised where they vary), exact or wildcard' -r -f -a "general\t'The ARNs seen, generalised where they vary: object keys to their folder, per-run names to their stem, identifiers made anew for each resource to the type in the account and region seen'
exact\t'The ARNs seen, exactly'
wildcard\t'* everywhere'"
complete -c ct-policy -n "__fish_ct_policy_needs_command" -l trail -d 'Events of the whole trail (not only the principal\'s), to learn what its own calls do not show: the role inside each instance profile it launched with (repeatable)' -r -F
complete -c ct-policy -n "__fish_ct_policy_needs_command" -l restrict -d 'Allow only the values seen of this condition key (such as ec2:InstanceType), written in the IfExists form so that resources without the key are not locked out' -r
complete -c ct-policy -n "__fish_ct_policy_needs_command" -l split-dir -d 'Write policies larger than the 6,144-character limit as DIR/policy-1.json, ...' -r -F
complete -c ct-policy -n "__fish_ct_policy_needs_command" -s j -l jobs -d 'Read and split N files at once (default: the number of CPUs). The output is the same for every N' -r
complete -c ct-policy -n "__fish_ct_policy_needs_command" -l include-denied -d 'Also grant actions that were only ever refused (by default a denied call was not needed)'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -l explain -d 'Write on stderr, for every statement, why each resource pattern was chosen and which values seen it covers'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -l restrict-region -d 'Allow only the regions seen (aws:RequestedRegion), except for global services such as IAM, STS, CloudFront, Route 53 and Organizations, which are called in us-east-1'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -l generalize -d 'With --restrict: values of one family become a pattern (t2.micro, t2.small -> t2.*)'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -l guess -d 'Add, in their own statement, the List/Describe/Get actions that usually go with the actions used'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -l compact -d 'Write one line instead of pretty JSON'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -l strict -d 'Stop at the first bad input (exit status 2) instead of reporting it and going on'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -s V -l version -d 'Print version'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -a "check" -d 'Fail (exit 1) when the actions seen are not all allowed by the given policies'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -a "simulate" -d 'Decide one request against policies, offline, like `aws iam simulate-custom-policy`'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -a "lint" -d 'Report what IAM\'s validator would, and grants that escalate privileges (exit 1 on any)'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -a "unused" -d 'List what the policies allow that nothing in the input used (exit 1 on any)'
complete -c ct-policy -n "__fish_ct_policy_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l policy -d 'A policy document, or the AWS CLI\'s output holding it (get-policy-version, get-role-policy, get-account-authorization-details with --role or --user). Repeatable' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l allow -d 'Allow actions matching PATTERN on any resource (repeatable)' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l deny -d 'Deny actions matching PATTERN on any resource (repeatable). Given without --policy and --allow, everything else is allowed' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l authorization-details -d 'The output of `aws iam get-account-authorization-details`: the policies of --role or --user (inline, managed, its groups\') and its permissions boundary' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l role -d 'In authorization details: the role whose policies count' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l user -d 'In authorization details: the user whose policies count' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l boundary -d 'The principal\'s permissions boundary: what it allows caps what the identity policies allow' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l session-policy -d 'The session policy passed when the role was assumed: it caps the session too' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l scp -d 'A service control policy of one level of the organisation (repeatable, one per level, root first; several policies of one level: LEVEL:FILE with the same LEVEL number)' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l rcp -d 'A resource control policy (repeatable); RCPs can only deny' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l resource-policy -d 'A resource-based policy and the resources it is attached to, ARN_PATTERN=FILE (a bucket policy on arn:aws:s3:::bucket and arn:aws:s3:::bucket/*: give both). Repeatable' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l assume -d 'A fact the logs cannot show, KEY=VALUE: a principal\'s tag (aws:PrincipalTag/team=build), a resource\'s tag, aws:ResourceAccount. It holds for every request (repeatable)' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l unknown -d 'What an Unknown decision counts as' -r -f -a "deny\t'An action whose decision the logs cannot settle fails the gate'
allow\t'Such an action passes'"
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l trail -d 'Events of the whole trail (not only the principal\'s), read only for what the principal\'s own events do not show: the tags others set on the resources judged, the role inside an instance profile it launched with, the stack of a change set named by its ARN (repeatable)' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -s j -l jobs -d 'Read and split N files at once (default: the number of CPUs). The output is the same for every N' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l allow-empty -d 'Pass on an input that holds no events or records (by default that is an error)'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l include-denied -d 'Also count calls that AWS refused for lack of permission (by default they were not done, so they are left out, as ct-policy leaves them out of generated policies)'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -s q -l quiet -d 'Do not write the summary line'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -l strict -d 'Stop at the first bad input (exit status 2) instead of reporting it and going on'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l policy -d 'A policy document, or the AWS CLI\'s output holding it (get-policy-version, get-role-policy, get-account-authorization-details with --role or --user). Repeatable' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l allow -d 'Allow actions matching PATTERN on any resource (repeatable)' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l deny -d 'Deny actions matching PATTERN on any resource (repeatable). Given without --policy and --allow, everything else is allowed' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l authorization-details -d 'The output of `aws iam get-account-authorization-details`: the policies of --role or --user (inline, managed, its groups\') and its permissions boundary' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l role -d 'In authorization details: the role whose policies count' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l user -d 'In authorization details: the user whose policies count' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l boundary -d 'The principal\'s permissions boundary: what it allows caps what the identity policies allow' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l session-policy -d 'The session policy passed when the role was assumed: it caps the session too' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l scp -d 'A service control policy of one level of the organisation (repeatable, one per level, root first; several policies of one level: LEVEL:FILE with the same LEVEL number)' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l rcp -d 'A resource control policy (repeatable); RCPs can only deny' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l resource-policy -d 'A resource-based policy and the resources it is attached to, ARN_PATTERN=FILE (a bucket policy on arn:aws:s3:::bucket and arn:aws:s3:::bucket/*: give both). Repeatable' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l assume -d 'A fact the logs cannot show, KEY=VALUE: a principal\'s tag (aws:PrincipalTag/team=build), a resource\'s tag, aws:ResourceAccount. It holds for every request (repeatable)' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l action -d 'The action, service:Action' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l resource -d 'The resource ARN (default *)' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l principal -d 'The caller: a user\'s or role\'s ARN, or an assumed role\'s session ARN (default: the aws:PrincipalArn of --context, or the --role or --user of --authorization-details). Its account decides whether a resource-based policy is in the same account' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -l context -d 'A condition key and value, KEY=VALUE; a key given twice has several values' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand simulate" -s h -l help -d 'Print help'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand lint" -l format -d 'How findings are written' -r -f -a "json\t'One finding record (NDJSON) per line'
text\t'FILE: statement SID: severity: code: message, for people'"
complete -c ct-policy -n "__fish_ct_policy_using_subcommand lint" -l ignore -d 'Leave out findings with this code (repeatable)' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand lint" -l principal -d 'In get-account-authorization-details output: the role or user whose policies to lint' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand lint" -l errors-only -d 'Report errors only (warnings are left out and do not fail)'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand lint" -s q -l quiet -d 'Do not write the summary line'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l policy -d 'A policy document, or the AWS CLI\'s output holding it (get-policy-version, get-role-policy, get-account-authorization-details with --role or --user). Repeatable' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l allow -d 'Allow actions matching PATTERN on any resource (repeatable)' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l deny -d 'Deny actions matching PATTERN on any resource (repeatable). Given without --policy and --allow, everything else is allowed' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l authorization-details -d 'The output of `aws iam get-account-authorization-details`: the policies of --role or --user (inline, managed, its groups\') and its permissions boundary' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l role -d 'In authorization details: the role whose policies count' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l user -d 'In authorization details: the user whose policies count' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l boundary -d 'The principal\'s permissions boundary: what it allows caps what the identity policies allow' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l session-policy -d 'The session policy passed when the role was assumed: it caps the session too' -r -F
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l scp -d 'A service control policy of one level of the organisation (repeatable, one per level, root first; several policies of one level: LEVEL:FILE with the same LEVEL number)' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l rcp -d 'A resource control policy (repeatable); RCPs can only deny' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l resource-policy -d 'A resource-based policy and the resources it is attached to, ARN_PATTERN=FILE (a bucket policy on arn:aws:s3:::bucket and arn:aws:s3:::bucket/*: give both). Repeatable' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l assume -d 'A fact the logs cannot show, KEY=VALUE: a principal\'s tag (aws:PrincipalTag/team=build), a resource\'s tag, aws:ResourceAccount. It holds for every request (repeatable)' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -s j -l jobs -d 'Read and split N files at once (default: the number of CPUs). The output is the same for every N' -r
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l text -d 'Write one line per finding for people (POLICY: statement SID: unused ...) instead of records'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l allow-empty -d 'Report on an input that holds no events or records (by default that is an error)'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -s q -l quiet -d 'Do not write the summary line'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -l strict -d 'Stop at the first bad input (exit status 2) instead of reporting it and going on'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand unused" -s h -l help -d 'Print help'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand help; and not __fish_seen_subcommand_from check simulate lint unused help" -f -a "check" -d 'Fail (exit 1) when the actions seen are not all allowed by the given policies'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand help; and not __fish_seen_subcommand_from check simulate lint unused help" -f -a "simulate" -d 'Decide one request against policies, offline, like `aws iam simulate-custom-policy`'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand help; and not __fish_seen_subcommand_from check simulate lint unused help" -f -a "lint" -d 'Report what IAM\'s validator would, and grants that escalate privileges (exit 1 on any)'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand help; and not __fish_seen_subcommand_from check simulate lint unused help" -f -a "unused" -d 'List what the policies allow that nothing in the input used (exit 1 on any)'
complete -c ct-policy -n "__fish_ct_policy_using_subcommand help; and not __fish_seen_subcommand_from check simulate lint unused help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
