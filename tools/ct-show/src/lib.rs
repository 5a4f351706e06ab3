//! ct-show: print CloudTrail records for people, at the end of a pipeline.
#![forbid(unsafe_code)]

pub mod columns;
pub mod record;
pub mod render;
pub mod resources;
pub mod zone;

use std::cmp::Ordering;
use std::fmt;
use std::io::{self, IsTerminal};

use clap::Parser;
use ct_common::cli::{InputArgs, MessageArgs, OutputArgs, after_help};
use ct_common::fields::{self, Found, Paths, Shape};
use ct_common::input::{self, Flow, Sink};
use ct_common::lines::LinePlace;
use ct_common::output::Output;
use ct_common::report::{Reporter, Summary, plural};
use ct_common::{EXIT_ERROR, EXIT_NEGATIVE, EXIT_OK, Error};

use columns::{Cell, Column, Field, Kind, Rec};
use record::Obj;
pub use render::Format;
use render::{Layout, Printer};
use zone::Zone;

pub const NAME: &str = "ct-show";

/// Print CloudTrail records for people: tables, TSV, CSV, counts, time zones.
///
/// ct-show is the end of a pipeline. It reads events (NDJSON, or anything ct-unzip reads: log
/// files, directories, gzip, lookup-events output), action records (ct-actions), per-event
/// action records (ct-actions --per-event), findings (ct-policy check), object records
/// (ct-fetch --list) and verification records (ct-verify), and prints chosen fields of each as a table: aligned columns cut to the
/// terminal's width on a terminal, TSV in a pipe, or CSV or JSON when asked. Each record's kind
/// is told by its fields: an action and a decision make a finding; an action and a count an
/// action record; an action and known a per-event action record; a key and a size an object
/// record; a key, a kind and a status a verification record; eventVersion, eventTime, eventName or eventSource an event; any other object is
/// shown with the keys of the first such object as columns.
///
/// Records of different kinds are never mixed in one table: each kind is a table of its own,
/// with its own heading, in the order each kind first appears in the input, separated by a
/// blank line (JSON rows carry their keys and need no heading). Without --sort or --count-by
/// the first kind's rows are written as they are read, in input order; a table (--format
/// table, the default on a terminal) first holds up to 1,000 rows to size its columns (with
/// --line-buffered, one), and later rows are cut to those widths. Rows of the kinds that come after the first are held until
/// the end of the input. --sort holds every row, and --count-by every distinct row, in memory:
/// the fields shown of every record, at most about the size of the input.
#[derive(Parser, Debug)]
#[command(
    name = NAME, version, max_term_width = 100, after_long_help = after_help(MAN_SECTIONS),
    mut_arg("verbose", |a| a.help("Write notes on stderr (digest files skipped, empty inputs) and a summary line")),
    mut_arg("quiet", |a| a.help("Do not write the summary line after bad input (errors are still reported)")),
)]
pub struct Cli {
    /// The columns, comma-separated (repeatable): column names (COLUMNS) and JSON paths
    /// (requestParameters.instanceType, userIdentity.arn, resources.0.ARN); a time can be
    /// bucketed (time/hour). Default: the columns of each kind of record.
    #[arg(long, value_name = "FIELDS", help_heading = "Fields")]
    pub fields: Vec<String>,

    /// Sort the rows of each table by FIELD, a column name or JSON path: times as instants,
    /// numbers as numbers, other values as text, empty cells last; -FIELD sorts descending
    /// (-time: newest first, as the console). Holds every row in memory.
    #[arg(long, value_name = "[-]FIELD", allow_hyphen_values = true, help_heading = "Fields")]
    pub sort: Option<String>,

    /// One row per distinct value of FIELDS (comma-separated: user,event) with the number of
    /// records, most first; by time when a field is a time bucket (time/minute, time/hour,
    /// time/day, time/month). A bar per row in a table.
    #[arg(long, value_name = "FIELDS", conflicts_with = "fields", help_heading = "Fields")]
    pub count_by: Vec<String>,

    /// table (aligned columns within the terminal's width), tsv, csv (RFC 4180) or json (an
    /// object per row). Default: table when standard output is a terminal, else tsv.
    #[arg(long, value_enum, value_name = "FORMAT", hide_possible_values = true, help_heading = "Output")]
    pub format: Option<Format>,

    /// Leave out the heading line of each table.
    #[arg(long, help_heading = "Output")]
    pub no_header: bool,

    /// Show times in ZONE: an IANA name (Australia/Melbourne), an abbreviation that stands for
    /// one offset (AEST), an offset (+10:00), UTC, or local. Default: UTC.
    #[arg(long, value_name = "ZONE", help_heading = "Time")]
    pub tz: Option<String>,

    /// Show times in the system's time zone (TZ, else /etc/localtime).
    #[arg(long, conflicts_with = "tz", help_heading = "Time")]
    pub local: bool,

    #[command(flatten)]
    pub messages: MessageArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub input: InputArgs,
}

/// Extra man page sections, rendered after OPTIONS by the man page generator.
pub const MAN_SECTIONS: &[(&str, &str)] = &[
    (
        "COLUMNS",
        "Events: time, user, event, resource-type, resource, source, region, access-key, ip, error, the columns of the \
         CloudTrail console's Event history. time is eventTime. user is the user name the console shows, by the rule of \
         ct-filter --user: userIdentity.userName, else the last part of userIdentity.arn (an assumed role's session name), \
         else root for the root user; it is empty for a call an AWS service made on its own (userIdentity.type AWSService, \
         the service in ip and userIdentity.invokedBy). event is eventName, source eventSource, region awsRegion, access-key \
         userIdentity.accessKeyId, ip sourceIPAddress, error errorCode. resource-type and resource come from the event's \
         resources[] (type, and the resource part of the ARN: what follows its fifth colon, such as role/deploy-agent, \
         stack/webapp-prod/1964..., a bucket's name); an event without resources[] shows what the IAM mapping of ct-actions \
         finds the call touched (the resources of its first action, such as the stack a CreateStack made, from its \
         response), with the IAM resource type as prefix:type (cloudformation:stack). Several resources are joined with \
         \", \". More event columns: resource-arn (the whole ARNs), id (eventID), account (recipientAccountId), arn \
         (userIdentity.arn), role (the role a session was issued for), agent (userAgent).\n\n\
         Action records (ct-actions): action, count, denied, first, last, principals. Per-event action records \
         (ct-actions --per-event): eventTime, action, principal, region, resources, errorCode, denied. Findings (ct-policy \
         check): decision, action, count, denied, principals, resources, statement. Object records (ct-fetch --list): key, \
         kind, size, lastModified. Any other object: the keys of the first one.\n\n\
         --fields takes those names and JSON paths, which name the record's own keys for every kind but events: a dotted \
         path goes into objects (requestParameters.instanceType), takes every element of an array it meets \
         (resources.ARN) or the one a number names (resources.0.ARN). --fields applies to every kind of record. A string \
         is shown as its text, a number as written, null or a missing field as an empty cell, an array of strings or numbers \
         as its values joined with \", \" (in JSON output, the array), any other value as its JSON text. Times (the time \
         column, and paths ending in eventTime, first, last, lastModified, delivered or creationDate) are shown in the \
         display zone (TIME ZONES), and can be bucketed: FIELD/minute, FIELD/hour, FIELD/day, FIELD/month, the minute, \
         hour, day or month of the display zone that holds the time.",
    ),
    (
        "FORMATS",
        "table: aligned columns separated by two spaces, a heading line of the column names, numbers aligned right. On a \
         terminal, or wherever the COLUMNS environment variable gives a width, the table keeps within that width: the \
         widest columns are cut first, down to a common width (never below six characters), and a cut cell ends with an \
         ellipsis (…). Control characters and bidirectional-text controls in a cell are written as escapes (\\n, \\t, \
         \\u{1b}), so that no field can move the cursor, colour or hide text. With --count-by, each row ends with a bar of \
         █ as long as its count is to the largest.\n\n\
         tsv: a heading line, then one line per row, cells separated by tabs; a backslash, tab, line feed or carriage return \
         in a cell is written \\\\, \\t, \\n, \\r. Times in ISO 8601 with their offset.\n\n\
         csv: RFC 4180: a heading line, lines ending in CR LF, a cell holding a comma, a double quote, CR or LF enclosed in \
         double quotes with its quotes doubled. A cell that is not a number and starts with =, +, -, @, a tab or a carriage \
         return gets a leading ' so that a spreadsheet does not run it as a formula (OWASP, CSV Injection). Several tables \
         are separated by an empty line. Times in ISO 8601 with their offset.\n\n\
         json: one object per row, the column names as keys in column order: strings, numbers and arrays as the record \
         holds them, times as ISO 8601 strings with their offset, null for an empty cell; with --count-by, a count key.",
    ),
    (
        "TIME ZONES",
        "Times are shown in UTC unless --tz or --local names a zone. A table writes them for people, 2017-06-01 13:00:12 UTC, \
         or with the zone's offset at that instant, 2017-06-01 23:00:12 +10:00 (Australia/Melbourne); tsv, csv and json \
         write ISO 8601 with the offset, 2017-06-01T13:00:12Z as AWS writes it, 2017-06-01T23:00:12+10:00 in a zone. The \
         offset follows daylight saving: in Australia/Melbourne 2017-04-02 02:59:59 +11:00 is followed by 02:00:00 +10:00. \
         A value that is not a time is shown as it is. Buckets are the zone's own minutes, hours, days and months: \
         2017-06-02 00:00 +10:00, 2017-06-02, 2017-06.\n\n\
         --tz takes a zone as every tool's --tz does (TIMES in ct-filter(1)): an IANA name, an abbreviation that stands for \
         one offset (AEST: +10:00 all year; name the zone to follow daylight saving), an offset (+10:00), UTC, local, or a \
         POSIX TZ string with its rules. Zones come from the system's time zone database (/usr/share/zoneinfo, or the \
         directory TZDIR names); a copy of the IANA database built into ct-show answers for a zone the system's lacks, or on \
         a machine that has none. --local takes the zone the TZ environment variable names, else the system's \
         (/etc/localtime); where there is none, it says so and shows UTC.",
    ),
    (
        "EXIT STATUS",
        "0 when a record was shown, 1 when the input held none, 2 on an error: bad usage, an unknown zone, unreadable or \
         malformed input (the good records around a bad one are still shown, unless --strict). A closed standard output \
         (| head) ends ct-show quietly with status 0.",
    ),
    (
        "EXAMPLES",
        r#"ct-unzip logs/ | ct-filter --event-name ConsoleLogin --start -30d \
    | ct-show --sort -time
ct-unzip logs/ | ct-filter --user alice | ct-show --tz Australia/Melbourne
ct-filter --event-name CreateStack \
    --start '2017-06-01 1:00 pm' --end '2017-06-02 5:00 pm' logs/ | ct-show
ct-show --count-by user,event logs/
ct-show --count-by time/hour --local events.ndjson
ct-filter --event-name RunInstances events.ndjson \
    | ct-show --fields time,user,requestParameters.instanceType
ct-filter --error events.ndjson | ct-show --format csv > errors.csv
ct-actions events.ndjson | ct-show
ct-fetch s3://trail-bucket --start -1d --list | ct-show --sort -size"#,
    ),
    ("SEE ALSO", "ct(7), ct-unzip(1), ct-filter(1), ct-actions(1), ct-policy(1), ct-fetch(1), jq(1)"),
];

/// How many rows a table on a terminal holds to size its columns before it streams.
pub const SAMPLE_ROWS: usize = 1000;

/// `--sort`: a field, ascending or descending.
#[derive(Debug, Clone)]
struct SortBy {
    field: Field,
    descending: bool,
}

impl SortBy {
    fn parse(text: &str) -> Result<SortBy, String> {
        let (descending, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        Ok(SortBy { field: Field::parse(rest)?, descending })
    }
}

/// Runs ct-show; returns the exit status.
pub fn run(cli: &Cli) -> Result<u8, Error> {
    let zone = match (&cli.tz, cli.local) {
        (Some(name), _) => Zone::named(name).map_err(Error::Usage)?,
        (None, true) => Zone::local().unwrap_or_else(|e| {
            // As date(1) does on a machine without a zone: UTC, and say so.
            Reporter::new(NAME).warn(&"--local", &format_args!("{e}; times are shown in UTC"));
            Zone::default()
        }),
        (None, false) => Zone::default(),
    };
    let usage = |opt: &'static str| move |e: String| Error::Usage(format!("{opt}: {e}"));
    let fields = if cli.fields.is_empty() { None } else { Some(Field::list(&cli.fields).map_err(usage("--fields"))?) };
    let count_by =
        if cli.count_by.is_empty() { None } else { Some(Field::list(&cli.count_by).map_err(usage("--count-by"))?) };
    let sort = cli.sort.as_deref().map(SortBy::parse).transpose().map_err(usage("--sort"))?;
    if let (Some(by), Some(sort)) = (&count_by, &sort)
        && sort.field.name != "count"
        && !by.iter().any(|f| f.name == sort.field.name)
    {
        return Err(Error::Usage(format!(
            "--sort: {:?} is not a column of --count-by (sort by one of them, or count)",
            sort.field.name
        )));
    }
    let format = cli.format.unwrap_or(if io::stdout().is_terminal() { Format::Table } else { Format::Tsv });
    let out = Output::stdout(cli.output.line_buffered);
    let printer = Printer::new(format, zone.clone(), terminal_width(), !cli.no_header, out);
    let mut report = cli.messages.reporter(NAME, &cli.input);
    let mut show = Show {
        fields,
        count_by,
        sort,
        zone,
        printer,
        sample: if cli.output.line_buffered { 1 } else { SAMPLE_ROWS },
        tables: Vec::new(),
        read: 0,
    };
    input::run(&cli.input.paths, cli.input.jobs(), &mut show, &mut report)?;
    show.finish()?;
    if report.errors > 0 || cli.messages.verbose {
        let mut summary = Summary::new(plural(show.read, "record", "records"));
        for t in &show.tables {
            let (one, many) = t.kind.names();
            summary.count(t.records, one, many);
        }
        report.summary(summary.errors(&report));
    }
    Ok(if report.errors > 0 {
        EXIT_ERROR
    } else if show.read > 0 {
        EXIT_OK
    } else {
        EXIT_NEGATIVE
    })
}

/// The width a table keeps within: `COLUMNS`, else the terminal's of standard output.
fn terminal_width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|n| *n > 0) {
        return Some(n);
    }
    terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| w.0 as usize).filter(|w| *w > 0)
}

/// The rows of one kind of record.
struct Table {
    kind: Kind,
    names: Vec<String>,
    columns: Vec<Column>,
    /// The column `--sort` orders by.
    sort: Option<Column>,
    /// Rows held: all of them when sorting, the first ones while a table sizes its columns,
    /// those of the kinds after the first.
    rows: Vec<(Vec<Cell>, Option<Cell>)>,
    /// With --count-by: each distinct row and its count, in order of first appearance.
    counts: hashbrown::HashMap<Vec<Cell>, u64>,
    order: Vec<Vec<Cell>>,
    /// Set once the table has begun to be written.
    layout: Option<Layout>,
    records: u64,
}

/// The sink: each record to the table of its kind.
struct Show {
    fields: Option<Vec<Field>>,
    count_by: Option<Vec<Field>>,
    sort: Option<SortBy>,
    zone: Zone,
    printer: Printer,
    sample: usize,
    tables: Vec<Table>,
    read: u64,
}

impl Show {
    /// Whether the first table's rows go out as they come.
    fn streams(&self) -> bool {
        self.sort.is_none() && self.count_by.is_none()
    }

    fn table(&mut self, kind: Kind, obj: &Obj<'_>) -> usize {
        if let Some(i) = self.tables.iter().position(|t| t.kind == kind) {
            return i;
        }
        let (columns, names) = match (&self.count_by, &self.fields) {
            (Some(by), _) => {
                let cols: Vec<Column> = by.iter().map(|f| Column::new(f, kind)).collect();
                let mut names: Vec<String> = by.iter().map(|f| f.name.clone()).collect();
                names.push("count".into());
                (cols, names)
            }
            (None, Some(fields)) => {
                (fields.iter().map(|f| Column::new(f, kind)).collect(), fields.iter().map(|f| f.name.clone()).collect())
            }
            (None, None) if kind == Kind::Other => {
                let mut keys: Vec<&str> = Vec::new();
                for k in obj.keys() {
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
                (keys.iter().map(|k| Column::key(k)).collect(), keys.iter().map(|k| k.to_string()).collect())
            }
            (None, None) => {
                let fields: Vec<Field> = kind.defaults().iter().filter_map(|d| Field::parse(d).ok()).collect();
                (fields.iter().map(|f| Column::new(f, kind)).collect(), fields.iter().map(|f| f.name.clone()).collect())
            }
        };
        let sort = match (&self.sort, &self.count_by) {
            (Some(s), None) => Some(Column::new(&s.field, kind)),
            _ => None,
        };
        self.tables.push(Table {
            kind,
            names,
            columns,
            sort,
            rows: Vec::new(),
            counts: hashbrown::HashMap::new(),
            order: Vec::new(),
            layout: None,
            records: 0,
        });
        self.tables.len() - 1
    }

    /// One JSON text from the input: a record, a container of events, or something wrong.
    fn record(
        &mut self,
        bytes: &[u8],
        place: &dyn fmt::Display,
        line: bool,
        report: &mut Reporter,
    ) -> io::Result<Flow> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Ok(report.error(place, &"invalid UTF-8"));
        };
        let obj = match Obj::parse(text) {
            Ok(Some(obj)) => obj,
            Ok(None) => return Ok(report.error(place, &"JSON value is not an object")),
            Err(e) => return Ok(report.error(place, &format_args!("invalid JSON: {e}"))),
        };
        let kind = Kind::of(&obj);
        // A line holding a delivery file, lookup-events output and the like: its events.
        if line && kind == Kind::Other && is_container(bytes) {
            return input::document(self, bytes, place, report);
        }
        self.read += 1;
        let i = self.table(kind, &obj);
        let rec = Rec::new(text, obj);
        let zone = &self.zone;
        let table = &mut self.tables[i];
        table.records += 1;
        if self.count_by.is_some() {
            let key: Vec<Cell> = table.columns.iter().map(|c| c.cell(&rec, zone)).collect();
            match table.counts.get_mut(&key) {
                Some(n) => *n += 1,
                None => {
                    table.counts.insert(key.clone(), 1);
                    table.order.push(key);
                }
            }
            return Ok(Flow::Continue);
        }
        let cells: Vec<Cell> = table.columns.iter().map(|c| c.cell(&rec, zone)).collect();
        let key = table.sort.as_ref().map(|c| c.cell(&rec, zone));
        table.rows.push((cells, key));
        if i == 0 && self.streams() {
            self.write_first()?;
        }
        Ok(Flow::Continue)
    }

    /// Writes what the first table holds once it can: at once in a format without widths,
    /// after the sample rows in a table.
    fn write_first(&mut self) -> io::Result<()> {
        let table = &mut self.tables[0];
        if table.layout.is_none() {
            if self.printer.format == Format::Table && table.rows.len() < self.sample {
                return Ok(());
            }
            let sample: Vec<Vec<Cell>> = table.rows.iter().map(|(c, _)| c.clone()).collect();
            table.layout = Some(self.printer.begin(&table.names, &sample, false)?);
        }
        let layout = table.layout.as_ref().expect("set above");
        for (cells, _) in table.rows.drain(..) {
            self.printer.row(layout, &table.names, &cells)?;
        }
        Ok(())
    }

    /// Writes every table that is left, in order of first appearance.
    fn finish(&mut self) -> io::Result<()> {
        for table in &mut self.tables {
            let rows: Vec<Vec<Cell>> = if self.count_by.is_some() {
                count_rows(table, self.count_by.as_deref().unwrap_or(&[]), self.sort.as_ref())
            } else {
                if let Some(sort) = &self.sort {
                    table.rows.sort_by(|a, b| order(a.1.as_ref(), b.1.as_ref(), sort.descending));
                }
                table.rows.drain(..).map(|(cells, _)| cells).collect()
            };
            let layout = match table.layout.take() {
                Some(layout) => layout,
                None => self.printer.begin(&table.names, &rows, self.count_by.is_some())?,
            };
            for cells in &rows {
                self.printer.row(&layout, &table.names, cells)?;
            }
        }
        self.printer.flush()
    }
}

/// The order of two sort keys: empty cells last either way.
fn order(a: Option<&Cell>, b: Option<&Cell>, descending: bool) -> Ordering {
    let (a, b) = (a.unwrap_or(&Cell::Empty), b.unwrap_or(&Cell::Empty));
    match (a, b) {
        (Cell::Empty, Cell::Empty) => Ordering::Equal,
        (Cell::Empty, _) => Ordering::Greater,
        (_, Cell::Empty) => Ordering::Less,
        _ if descending => b.compare(a),
        _ => a.compare(b),
    }
}

/// The rows of a --count-by table, each ending in its count, in order: by --sort when given;
/// else by the first time bucket, then most first; else most first; ties by the values.
fn count_rows(table: &mut Table, by: &[Field], sort: Option<&SortBy>) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = table
        .order
        .drain(..)
        .map(|key| {
            let n = table.counts.get(&key).copied().unwrap_or(0);
            let mut row = key;
            row.push(Cell::Number(n.to_string()));
            row
        })
        .collect();
    table.counts.clear();
    let count = by.len();
    let values = |a: &Vec<Cell>, b: &Vec<Cell>| {
        a[..count]
            .iter()
            .zip(&b[..count])
            .map(|(x, y)| order(Some(x), Some(y), false))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    };
    let most_first = |a: &Vec<Cell>, b: &Vec<Cell>| order(a.get(count), b.get(count), true);
    match sort {
        Some(s) => {
            let i = if s.field.name == "count" {
                count
            } else {
                by.iter().position(|f| f.name == s.field.name).unwrap_or(count)
            };
            rows.sort_by(|a, b| order(a.get(i), b.get(i), s.descending).then_with(|| values(a, b)));
        }
        None => match by.iter().position(|f| f.bucket.is_some()) {
            Some(t) => rows.sort_by(|a, b| {
                order(a.get(t), b.get(t), false).then_with(|| most_first(a, b)).then_with(|| values(a, b))
            }),
            None => rows.sort_by(|a, b| most_first(a, b).then_with(|| values(a, b))),
        },
    }
    rows
}

/// Whether a line is a container of events (a delivery file, lookup-events output, an
/// EventBridge envelope), as the common reader tells them.
fn is_container(bytes: &[u8]) -> bool {
    let mut found = Found::default();
    matches!(fields::extract(&Paths::new(), bytes, &mut found), Ok(Shape::Container))
}

impl Sink for Show {
    fn event(&mut self, json: &[u8], report: &mut Reporter) -> io::Result<Flow> {
        self.record(json, &"record", false, report)
    }

    fn line(&mut self, text: &[u8], place: LinePlace<'_>, report: &mut Reporter) -> io::Result<Flow> {
        self.record(text, &place, true, report)
    }
}
