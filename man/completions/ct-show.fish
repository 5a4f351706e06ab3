complete -c ct-show -l fields -d 'The columns, comma-separated (repeatable): column names (COLUMNS) and JSON paths (requestParameters.instanceType, userIdentity.arn, resources.0.ARN); a time can be bucketed (time/hour). Default: the columns of each kind of record' -r
complete -c ct-show -l sort -d 'Sort the rows of each table by FIELD, a column name or JSON path: times as instants, numbers as numbers, other values as text, empty cells last; -FIELD sorts descending (-time: newest first, as the console). Holds every row in memory' -r
complete -c ct-show -l count-by -d 'One row per distinct value of FIELDS (comma-separated: user,event) with the number of records, most first; by time when a field is a time bucket (time/minute, time/hour, time/day, time/month). A bar per row in a table' -r
complete -c ct-show -l format -d 'table (aligned columns within the terminal\'s width), tsv, csv (RFC 4180) or json (an object per row). Default: table when standard output is a terminal, else tsv' -r -f -a "table\t'Aligned columns, cut to the terminal\'s width (the default on a terminal)'
tsv\t'Tab-separated values with a heading line (the default elsewhere)'
csv\t'Comma-separated values (RFC 4180) with a heading line'
json\t'One JSON object per row, the fields as keys'"
complete -c ct-show -l tz -d 'Show times in ZONE: an IANA name (Australia/Melbourne), an abbreviation that stands for one offset (AEST), an offset (+10:00), UTC, or local. Default: UTC' -r
complete -c ct-show -s j -l jobs -d 'Read and split N files at once (default: the number of CPUs). The output is the same for every N' -r
complete -c ct-show -l no-header -d 'Leave out the heading line of each table'
complete -c ct-show -l local -d 'Show times in the system\'s time zone (TZ, else /etc/localtime)'
complete -c ct-show -l line-buffered -d 'Flush after every record, for following a live stream (default: write in large blocks)'
complete -c ct-show -l strict -d 'Stop at the first bad input (exit status 2) instead of reporting it and going on'
complete -c ct-show -s v -l verbose -d 'Write notes on stderr (digest files skipped, empty inputs) and a summary line'
complete -c ct-show -s q -l quiet -d 'Do not write the summary line after bad input (errors are still reported)'
complete -c ct-show -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ct-show -s V -l version -d 'Print version'
