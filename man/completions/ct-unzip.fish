complete -c ct-unzip -s j -l jobs -d 'Read and split N files at once (default: the number of CPUs). The output is the same for every N' -r
complete -c ct-unzip -l strict -d 'Stop at the first bad input (exit status 2) instead of reporting it and going on'
complete -c ct-unzip -l dedupe -d 'Drop events whose eventID was already written (CloudTrail sometimes delivers an event twice). Events without an eventID are always written'
complete -c ct-unzip -s q -l quiet -d 'Do not write the summary line (errors are still reported)'
complete -c ct-unzip -l line-buffered -d 'Flush after every record, for following a live stream (default: write in large blocks)'
complete -c ct-unzip -s v -l verbose -d 'Write notes on stderr: skipped digest files, empty inputs, CloudWatch control messages'
complete -c ct-unzip -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ct-unzip -s V -l version -d 'Print version'
