//! The result table: one row per measurement, ours beside rmcp, the ratio and the target.

use std::fmt::Write as _;

/// One side's figure, or why there is none.
#[derive(Clone, Debug)]
pub enum Cell {
    /// A measured value.
    Value(f64),
    /// No value, with the reason shown in its place.
    Missing(String),
}

impl Cell {
    fn value(&self) -> Option<f64> {
        match self {
            Cell::Value(value) => Some(*value),
            Cell::Missing(_) => None,
        }
    }
}

impl<E: std::fmt::Display> From<Result<f64, E>> for Cell {
    fn from(result: Result<f64, E>) -> Self {
        match result {
            Ok(value) => Cell::Value(value),
            Err(error) => Cell::Missing(format!("failed: {error}")),
        }
    }
}

/// What the issue asks of a row.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// No target.
    None,
    /// ours ÷ rmcp at least this much (throughput).
    RatioAtLeast(f64),
    /// ours ÷ rmcp at most this much (cost, latency).
    RatioAtMost(f64),
    /// ours at most this value, in the row's unit.
    OursAtMost(f64),
}

/// How a row's numbers are printed.
#[derive(Clone, Copy, Debug)]
pub enum Unit {
    /// Calls or requests per second.
    PerSecond,
    /// Microseconds.
    Micros,
    /// Machine instructions.
    Instructions,
    /// KiB of resident memory.
    KiB,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::PerSecond => "/s",
            Unit::Micros => "µs",
            Unit::Instructions => "instr/call",
            Unit::KiB => "KiB/session",
        }
    }

    fn format(self, value: f64) -> String {
        match self {
            Unit::PerSecond | Unit::Micros | Unit::Instructions => grouped(value.round()),
            Unit::KiB => format!("{value:.1}"),
        }
    }
}

/// One measurement.
#[derive(Clone, Debug)]
pub struct Row {
    /// What was measured.
    pub label: String,
    /// How its numbers read.
    pub unit: Unit,
    /// Our figure.
    pub ours: Cell,
    /// rmcp's figure.
    pub reference: Cell,
    /// What the issue asks.
    pub target: Target,
}

/// Rows in the order they were measured.
#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Table {
    /// Adds a row and echoes it to stderr so a long run shows progress.
    pub fn push(&mut self, row: Row) {
        eprintln!(
            "  {}: ours {} | rmcp {}",
            row.label,
            render(&row.ours, row.unit),
            render(&row.reference, row.unit)
        );
        self.rows.push(row);
    }

    /// Adds a note printed under the table.
    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        eprintln!("  note: {note}");
        self.notes.push(note);
    }

    /// The table as markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::from(
            "| Measurement | Unit | ours | rmcp 3.11 | ours ÷ rmcp | Target | Met |\n\
             | --- | --- | ---: | ---: | ---: | --- | --- |\n",
        );
        for row in &self.rows {
            let ratio = match (row.ours.value(), row.reference.value()) {
                (Some(ours), Some(reference)) if reference > 0.0 => Some(ours / reference),
                _ => None,
            };
            let (target, met) = judge(row, ratio);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                row.label,
                row.unit.name(),
                render(&row.ours, row.unit),
                render(&row.reference, row.unit),
                ratio.map_or_else(|| String::from("–"), |ratio| format!("{ratio:.2}")),
                target,
                met
            );
        }
        for note in &self.notes {
            let _ = writeln!(out, "\n- {note}");
        }
        out
    }
}

fn judge(row: &Row, ratio: Option<f64>) -> (String, &'static str) {
    let verdict = |ok: Option<bool>| match ok {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "–",
    };
    match row.target {
        Target::None => (String::new(), ""),
        Target::RatioAtLeast(wanted) => (
            format!("≥ {wanted}×"),
            verdict(ratio.map(|ratio| ratio >= wanted)),
        ),
        Target::RatioAtMost(wanted) => (
            format!("≤ {wanted:.2}×"),
            verdict(ratio.map(|ratio| ratio <= wanted)),
        ),
        Target::OursAtMost(limit) => (
            format!("≤ {} {}", row.unit.format(limit), row.unit.name()),
            verdict(row.ours.value().map(|ours| ours <= limit)),
        ),
    }
}

fn render(cell: &Cell, unit: Unit) -> String {
    match cell {
        Cell::Value(value) => unit.format(*value),
        Cell::Missing(reason) => reason.clone(),
    }
}

/// `1234567` as `1,234,567`.
fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if value < 0.0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0.0), "0");
        assert_eq!(grouped(999.0), "999");
        assert_eq!(grouped(1000.0), "1,000");
        assert_eq!(grouped(1234567.0), "1,234,567");
        assert_eq!(grouped(-4200.0), "-4,200");
    }

    #[test]
    fn judges_targets() {
        let mut table = Table::default();
        table.rows.push(Row {
            label: String::from("fast"),
            unit: Unit::PerSecond,
            ours: Cell::Value(300.0),
            reference: Cell::Value(100.0),
            target: Target::RatioAtLeast(3.0),
        });
        table.rows.push(Row {
            label: String::from("skipped"),
            unit: Unit::KiB,
            ours: Cell::Missing(String::from("not served yet")),
            reference: Cell::Value(53.6),
            target: Target::OursAtMost(4.0),
        });
        let markdown = table.markdown();
        assert!(markdown.contains("| fast | /s | 300 | 100 | 3.00 | ≥ 3× | yes |"));
        assert!(markdown.contains("| skipped | KiB/session | not served yet | 53.6 | – |"));
    }
}
