//! Writing rows: an aligned table cut to the terminal's width, TSV, CSV (RFC 4180, with
//! spreadsheet formulas neutralised) or one JSON object per row.

use std::borrow::Cow;
use std::io;

use ct_common::output::Output;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::columns::Cell;
use crate::zone::Zone;

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns, cut to the terminal's width (the default on a terminal).
    Table,
    /// Tab-separated values with a heading line (the default elsewhere).
    Tsv,
    /// Comma-separated values (RFC 4180) with a heading line.
    Csv,
    /// One JSON object per row, the fields as keys.
    Json,
}

/// The narrowest a column is cut to (five characters and the ellipsis).
const MIN_WIDTH: usize = 6;
/// Between two columns of a table.
const GAP: &str = "  ";
/// The widest bar of a count.
const BAR_MAX: usize = 40;
/// The narrowest bar worth keeping room for.
const BAR_MIN: usize = 10;

/// How the columns of one table are laid out.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub widths: Vec<usize>,
    /// Columns of numbers, aligned to the right.
    pub right: Vec<bool>,
    /// With --count-by on a table: the width of the longest bar and the largest count.
    pub bar: Option<(usize, u64)>,
}

/// Writes tables, one after another.
pub struct Printer {
    pub format: Format,
    pub zone: Zone,
    /// The width a table must keep within, when there is one.
    pub width: Option<usize>,
    pub header: bool,
    out: Output,
    tables: usize,
}

impl Printer {
    pub fn new(format: Format, zone: Zone, width: Option<usize>, header: bool, out: Output) -> Self {
        Printer { format, zone, width, header, out, tables: 0 }
    }

    /// The text of a cell in this printer's format (JSON excepted).
    pub fn text(&self, cell: &Cell) -> String {
        let iso = self.format != Format::Table;
        match cell {
            Cell::Time(t) if iso => self.zone.iso(*t),
            Cell::Time(t) => self.zone.readable(*t),
            Cell::Bucket(t, b) => self.zone.bucket_text(*t, *b, iso),
            other => match self.format {
                Format::Table => safe(&other.plain()).into_owned(),
                Format::Tsv => tsv(&other.plain()).into_owned(),
                Format::Csv => csv(&other.plain(), !matches!(other, Cell::Number(_))),
                Format::Json => other.plain(),
            },
        }
    }

    /// The JSON text of a cell: strings, numbers, the values found, null when empty.
    fn json(&self, cell: &Cell) -> String {
        match cell {
            Cell::Empty => "null".into(),
            Cell::Text(s) => serde_json::to_string(s).unwrap_or_default(),
            Cell::Number(n) => n.clone(),
            Cell::Json { raw, .. } => raw.clone(),
            Cell::Time(t) => format!("\"{}\"", self.zone.iso(*t)),
            Cell::Bucket(t, b) => format!("\"{}\"", self.zone.bucket_text(*t, *b, true)),
        }
    }

    /// Starts a table: a blank line after the one before, then the heading. `sample` is the
    /// rows the widths are taken from; `counts` says whether the last column is a count to
    /// draw bars for.
    pub fn begin(&mut self, names: &[String], sample: &[Vec<Cell>], counts: bool) -> io::Result<Layout> {
        if self.tables > 0 {
            match self.format {
                Format::Table | Format::Tsv => self.out.record(b"")?,
                Format::Csv => self.out.record(b"\r")?,
                Format::Json => {}
            }
        }
        self.tables += 1;
        let layout = match self.format {
            Format::Table => self.layout(names, sample, counts),
            _ => Layout::default(),
        };
        if self.header {
            match self.format {
                Format::Table => {
                    let heads: Vec<String> = names.iter().map(|n| safe(n).into_owned()).collect();
                    let line = self.line(&layout, &heads, None);
                    self.out.record(line.as_bytes())?;
                }
                Format::Tsv => {
                    let heads: Vec<String> = names.iter().map(|n| tsv(n).into_owned()).collect();
                    self.out.record(heads.join("\t").as_bytes())?;
                }
                Format::Csv => {
                    let heads: Vec<String> = names.iter().map(|n| csv(n, true)).collect();
                    self.out.record(format!("{}\r", heads.join(",")).as_bytes())?;
                }
                Format::Json => {}
            }
        }
        Ok(layout)
    }

    /// Writes one row.
    pub fn row(&mut self, layout: &Layout, names: &[String], cells: &[Cell]) -> io::Result<()> {
        match self.format {
            Format::Table => {
                let texts: Vec<String> = cells.iter().map(|c| self.text(c)).collect();
                let bar = layout.bar.and_then(|(width, max)| {
                    let n: u64 = match cells.last() {
                        Some(Cell::Number(n)) => n.parse().ok()?,
                        _ => return None,
                    };
                    Some(bar(n, max, width))
                });
                let line = self.line(layout, &texts, bar.as_deref());
                self.out.record(line.as_bytes())
            }
            Format::Tsv => {
                let texts: Vec<String> = cells.iter().map(|c| self.text(c)).collect();
                self.out.record(texts.join("\t").as_bytes())
            }
            Format::Csv => {
                let texts: Vec<String> = cells.iter().map(|c| self.text(c)).collect();
                self.out.record(format!("{}\r", texts.join(",")).as_bytes())
            }
            Format::Json => {
                let mut line = String::from("{");
                for (i, (name, cell)) in names.iter().zip(cells).enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    line.push_str(&serde_json::to_string(name).unwrap_or_default());
                    line.push(':');
                    line.push_str(&self.json(cell));
                }
                line.push('}');
                self.out.record(line.as_bytes())
            }
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Widths from the heading and the sample rows, cut to fit the terminal's width.
    fn layout(&self, names: &[String], sample: &[Vec<Cell>], counts: bool) -> Layout {
        let mut natural: Vec<usize> = names.iter().map(|n| safe(n).width()).collect();
        let mut numbers = vec![0usize; names.len()];
        let mut others = vec![0usize; names.len()];
        let mut times = vec![0usize; names.len()];
        let mut max_count = 0u64;
        for row in sample {
            for (i, cell) in row.iter().enumerate().take(names.len()) {
                natural[i] = natural[i].max(self.text(cell).width());
                match cell {
                    Cell::Number(_) => numbers[i] += 1,
                    Cell::Empty => {}
                    Cell::Time(_) | Cell::Bucket(..) => {
                        times[i] += 1;
                        others[i] += 1;
                    }
                    _ => others[i] += 1,
                }
            }
            if counts && let Some(Cell::Number(n)) = row.last() {
                max_count = max_count.max(n.parse().unwrap_or(0));
            }
        }
        let right: Vec<bool> = numbers.iter().zip(&others).map(|(n, o)| *n > 0 && *o == 0).collect();
        let whole: Vec<bool> = (0..names.len()).map(|i| right[i] || times[i] > 0 && times[i] == others[i]).collect();
        if !counts {
            let widths = match self.width {
                Some(limit) => fit(&natural, &whole, limit),
                None => natural,
            };
            return Layout { widths, right, bar: None };
        }
        // Room for a bar after the columns: at least BAR_MIN, at most BAR_MAX.
        let (widths, bar) = match self.width {
            Some(limit) => {
                let widths = fit(&natural, &whole, limit.saturating_sub(GAP.len() + BAR_MIN));
                let used: usize = widths.iter().sum::<usize>() + GAP.len() * widths.len();
                (widths, limit.saturating_sub(used).clamp(1, BAR_MAX))
            }
            None => (natural, BAR_MAX),
        };
        Layout { widths, right, bar: Some((bar, max_count.max(1))) }
    }

    /// One line of a table: each cell cut or padded to its column's width.
    fn line(&self, layout: &Layout, texts: &[String], bar: Option<&str>) -> String {
        let mut line = String::new();
        let last = texts.len().saturating_sub(1);
        for (i, text) in texts.iter().enumerate() {
            if i > 0 {
                line.push_str(GAP);
            }
            let width = layout.widths.get(i).copied().unwrap_or(0);
            let cell = cut(text, width);
            let pad = width.saturating_sub(cell.width());
            let right = layout.right.get(i).copied().unwrap_or(false);
            if right {
                line.extend(std::iter::repeat_n(' ', pad));
            }
            line.push_str(&cell);
            if !right && (i < last || layout.bar.is_some()) {
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        if let Some(bar) = bar {
            line.push_str(GAP);
            line.push_str(bar);
        }
        line.truncate(line.trim_end_matches(' ').len());
        line
    }
}

/// A bar of `width` cells for the largest count, proportional for the others, never empty.
fn bar(n: u64, max: u64, width: usize) -> String {
    let len = ((n as f64 / max as f64) * width as f64).round() as usize;
    "█".repeat(len.clamp(1, width.max(1)))
}

/// How many columns on the left (the ones that say what a row is: time, user, event) keep
/// their width while the others can make room.
const KEPT_LEFT: usize = 3;

/// Column widths within `limit`: the widest columns are cut first, down to a common width,
/// none below MIN_WIDTH. `whole` columns (times, numbers) are cut only when the others cannot
/// make room, and the first KEPT_LEFT columns only when the rest cannot. A table that still
/// does not fit runs past the limit.
pub fn fit(natural: &[usize], whole: &[bool], limit: usize) -> Vec<usize> {
    let gaps = GAP.len() * natural.len().saturating_sub(1);
    if natural.iter().sum::<usize>() + gaps <= limit {
        return natural.to_vec();
    }
    let left: Vec<bool> = whole.iter().enumerate().map(|(i, w)| *w || i < KEPT_LEFT).collect();
    for keep in [&left[..], whole] {
        let kept: usize = natural.iter().zip(keep).filter(|(_, k)| **k).map(|(n, _)| *n).sum();
        let flexible: Vec<bool> = keep.iter().map(|k| !k).collect();
        let least: usize = natural.iter().zip(&flexible).filter(|(_, f)| **f).map(|(n, _)| (*n).min(MIN_WIDTH)).sum();
        if let Some(budget) = limit.checked_sub(gaps + kept)
            && least <= budget
        {
            return shrink(natural, &flexible, budget);
        }
    }
    shrink(natural, &vec![true; natural.len()], limit.saturating_sub(gaps))
}

/// The widths of the `cut` columns brought within `budget` by cutting the widest first
/// (the others keep theirs).
fn shrink(natural: &[usize], cut: &[bool], budget: usize) -> Vec<usize> {
    let total = |cap: usize| natural.iter().zip(cut).filter(|(_, c)| **c).map(|(w, _)| (*w).min(cap)).sum::<usize>();
    let (mut lo, mut hi) = (MIN_WIDTH, natural.iter().copied().max().unwrap_or(0).max(MIN_WIDTH));
    if total(lo) > budget {
        return natural.iter().zip(cut).map(|(w, c)| if *c { (*w).min(MIN_WIDTH) } else { *w }).collect();
    }
    // The largest cap that fits.
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if total(mid) <= budget { lo = mid } else { hi = mid - 1 }
    }
    let mut widths: Vec<usize> = natural.iter().zip(cut).map(|(w, c)| if *c { (*w).min(lo) } else { *w }).collect();
    // What is left goes to the cut columns, one character each, from the left.
    let mut left = budget - total(lo);
    for (w, n) in widths.iter_mut().zip(natural) {
        if left == 0 {
            break;
        }
        if *n > *w {
            *w += 1;
            left -= 1;
        }
    }
    widths
}

/// `text` within `width` columns: cut with an ellipsis when longer.
pub fn cut(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// Text safe to print on a terminal: line breaks, tabs, other control characters and the
/// characters that reorder text (bidirectional controls) written as escapes (`\n`, `\t`,
/// `\u{1b}`), so that a field cannot move the cursor, change colours or hide text.
pub fn safe(text: &str) -> Cow<'_, str> {
    let bad = |c: char| c.is_control() || is_bidi(c);
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if bad(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The bidirectional formatting characters (Unicode Bidirectional Algorithm, UAX #9).
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A TSV cell: backslash, tab, line feed and carriage return written `\\`, `\t`, `\n`, `\r`.
pub fn tsv(text: &str) -> Cow<'_, str> {
    if !text.contains(['\\', '\t', '\n', '\r']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A CSV cell (RFC 4180): quoted when it holds a comma, a quote, CR or LF, quotes doubled.
/// With `neutral`, a cell a spreadsheet would read as a formula (starting with `=`, `+`,
/// `-`, `@`, tab or CR: OWASP, "CSV Injection") gets a leading `'`.
pub fn csv(text: &str, neutral: bool) -> String {
    let formula = neutral && text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text: Cow<'_, str> = if formula { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) };
    if text.contains([',', '"', '\r', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.into_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_cut_widest_first_to_fit() {
        let cut = [false; 5];
        assert_eq!(fit(&[5, 5, 5, 20, 30], &cut, 100), [5, 5, 5, 20, 30]);
        // 73 in all with the gaps: cut to 61 by cutting the two widest to 19.
        assert_eq!(fit(&[5, 5, 5, 20, 30], &cut, 61), [5, 5, 5, 19, 19]);
        assert_eq!(fit(&[5, 5, 5, 20, 30], &cut, 47).iter().sum::<usize>() + 8, 47);
        // The first three keep their width while the others can make room...
        assert_eq!(fit(&[20, 20, 20, 20, 30], &cut, 88), [20, 20, 20, 10, 10]);
        // ...and are cut like the others when they cannot; never below the minimum, the
        // table then runs past the limit.
        assert_eq!(fit(&[20, 20, 20, 20, 30], &cut, 50), [9, 9, 8, 8, 8]);
        assert_eq!(fit(&[10, 20, 30], &[false; 3], 5), [6, 6, 6]);
        // A time keeps its width while the others can make room, and is cut when they cannot.
        assert_eq!(fit(&[23, 20, 30], &[true, false, false], 50), [23, 12, 11]);
        assert_eq!(fit(&[23, 20, 30], &[true, false, false], 20), [6, 6, 6]);
    }

    #[test]
    fn cut_cells_end_with_an_ellipsis_within_their_width() {
        assert_eq!(cut("deploy-agent", 20), "deploy-agent");
        assert_eq!(cut("deploy-agent", 7), "deploy…");
        assert_eq!(cut("deploy-agent", 7).width(), 7);
        // Wide characters take two columns.
        assert_eq!(cut("日本語テキスト", 6), "日本…");
        assert!(cut("日本語テキスト", 6).width() <= 6);
    }

    #[test]
    fn terminals_see_no_control_characters() {
        assert_eq!(safe("plain"), "plain");
        assert_eq!(safe("a\nb\tc\u{1b}[31m"), "a\\nb\\tc\\u{1b}[31m");
        assert_eq!(safe("evil\u{202E}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(safe("\u{9b}"), "\\u{9b}");
    }

    #[test]
    fn tsv_escapes_what_would_break_its_lines_and_columns() {
        assert_eq!(tsv("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
        assert_eq!(tsv("plain text"), "plain text");
    }

    #[test]
    fn csv_quotes_as_rfc_4180_and_neutralises_formulas() {
        assert_eq!(csv("plain", true), "plain");
        assert_eq!(csv("a,b", true), "\"a,b\"");
        assert_eq!(csv("say \"hi\"", true), "\"say \"\"hi\"\"\"");
        assert_eq!(csv("two\r\nlines", true), "\"two\r\nlines\"");
        assert_eq!(csv("=HYPERLINK(\"http://x\",\"y\")", true), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        for lead in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv(lead, true).trim_start_matches('"').starts_with('\''), "{lead:?}");
        }
        // A number is never a formula.
        assert_eq!(csv("-1", false), "-1");
    }

    #[test]
    fn bars_are_proportional_and_never_empty() {
        assert_eq!(bar(10, 10, 20).chars().count(), 20);
        assert_eq!(bar(5, 10, 20).chars().count(), 10);
        assert_eq!(bar(1, 1000, 20).chars().count(), 1);
    }
}
