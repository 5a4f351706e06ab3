complete -c ct-actions -l cap -d 'Keep at most N values in each set of a record (regions, accounts, principals, resources, each context key): the N smallest in sorted order, with the set named in "capped" when values were left out' -r
complete -c ct-actions -s j -l jobs -d 'Read and split N files at once (default: the number of CPUs). The output is the same for every N' -r
complete -c ct-actions -l per-event -d 'Write one record per event and action, in input order, as events arrive (no merging)'
complete -c ct-actions -l text -d 'Write only the sorted, distinct action names (service:Action), one per line'
complete -c ct-actions -l line-buffered -d 'Flush after every record, for following a live stream (default: write in large blocks)'
complete -c ct-actions -l strict -d 'Stop at the first bad input (exit status 2) instead of reporting it and going on'
complete -c ct-actions -s v -l verbose -d 'Write notes on stderr: each event that needs no permission, and why'
complete -c ct-actions -s q -l quiet -d 'Do not write the summary line (errors and unknown actions are still reported)'
complete -c ct-actions -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ct-actions -s V -l version -d 'Print version'
