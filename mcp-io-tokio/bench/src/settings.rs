//! The driver's command line: `--quick`, `--only <section>`, `--no-callgrind`.

use std::time::Duration;

/// One part of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// (a) client and server in one process.
    InMemory,
    /// (b) a client spawning its server as a child process.
    Stdio,
    /// (c) Streamable HTTP throughput and latency.
    Http,
    /// (d) resident memory per idle legacy session.
    SessionMemory,
    /// (e) server instructions per call under callgrind.
    Instructions,
}

impl Section {
    /// Every section, in run order.
    pub const ALL: [Section; 5] = [
        Section::InMemory,
        Section::Stdio,
        Section::Http,
        Section::SessionMemory,
        Section::Instructions,
    ];

    /// The `--only` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Section::InMemory => "in-memory",
            Section::Stdio => "stdio",
            Section::Http => "http",
            Section::SessionMemory => "session-memory",
            Section::Instructions => "instructions",
        }
    }

    fn parse(text: &str) -> Option<Section> {
        Section::ALL
            .into_iter()
            .find(|section| section.name() == text)
    }
}

/// How long and how much each measurement runs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Short durations for a smoke run.
    pub quick: bool,
    /// Run just this section.
    pub only: Option<Section>,
    /// Run the (slow) callgrind section.
    pub callgrind: bool,
}

impl Settings {
    /// Parses the driver's arguments.
    pub fn parse(arguments: impl Iterator<Item = String>) -> Result<Settings, String> {
        let mut settings = Settings {
            quick: false,
            only: None,
            callgrind: true,
        };
        let mut arguments = arguments.peekable();
        while let Some(flag) = arguments.next() {
            match flag.as_str() {
                "--quick" => settings.quick = true,
                "--no-callgrind" => settings.callgrind = false,
                "--only" => {
                    let name = arguments.next().unwrap_or_default();
                    settings.only = Some(Section::parse(&name).ok_or_else(|| {
                        let names: Vec<&str> = Section::ALL.iter().map(|s| s.name()).collect();
                        format!("unknown section {name:?}; one of {}", names.join(", "))
                    })?);
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        Ok(settings)
    }

    /// Whether `section` runs.
    pub fn runs(&self, section: Section) -> bool {
        let chosen = self.only.is_none_or(|only| only == section);
        chosen && (section != Section::Instructions || self.callgrind)
    }

    /// Time given to warm caches, pools and allocators before measuring.
    pub fn warmup(&self) -> Duration {
        if self.quick {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(1)
        }
    }

    /// How long each throughput measurement runs.
    pub fn duration(&self) -> Duration {
        if self.quick {
            Duration::from_secs(1)
        } else {
            Duration::from_secs(5)
        }
    }

    /// Idle legacy sessions opened for the memory measurement.
    pub fn sessions(&self) -> usize {
        1000
    }

    /// Calls counted under callgrind (beyond the warm-up run's).
    pub fn counted_calls(&self) -> u64 {
        if self.quick { 200 } else { 2000 }
    }

    /// Calls of the callgrind baseline run.
    pub fn baseline_calls(&self) -> u64 {
        if self.quick { 50 } else { 200 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(arguments: &[&str]) -> Result<Settings, String> {
        Settings::parse(arguments.iter().map(|text| text.to_string()))
    }

    #[test]
    fn parses_flags() {
        let settings = parse(&["--quick", "--only", "http"]).expect("valid");
        assert!(settings.quick);
        assert!(settings.runs(Section::Http));
        assert!(!settings.runs(Section::Stdio));
        let settings = parse(&["--no-callgrind"]).expect("valid");
        assert!(!settings.runs(Section::Instructions));
        assert!(settings.runs(Section::InMemory));
        assert!(parse(&["--only", "nothing"]).is_err());
        assert!(parse(&["--fast"]).is_err());
    }
}
