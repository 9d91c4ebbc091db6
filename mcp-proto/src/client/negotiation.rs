//! Choosing the protocol revision: reading the answer to the `server/discover` probe and
//! to `initialize` (section 5 of the protocol digest).
//!
//! These are pure functions of the server's answer; the connection owns the state
//! ([`Phase`]) and acts on the verdicts.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::jsonrpc::{ErrorCode, ErrorObject, ResultBody};
use crate::types::{
    DiscoverResult, Implementation, InitializeResult, ServerCapabilities,
    UnsupportedProtocolVersionErrorData,
};
use crate::version::{Era, ProtocolVersion, select_modern, versions_of};

/// Where the connection is in its life.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Phase {
    /// `server/discover` is out at `version`; `reprobed` once a `-32022` made us ask again.
    Probing {
        /// The version the probe in flight speaks.
        version: ProtocolVersion,
        /// True for the second (and last) probe.
        reprobed: bool,
    },
    /// `initialize` is out.
    Initializing,
    /// Legacy: `initialize` was answered and the `logging/setLevel` the configuration asks
    /// for is out. Application requests wait for its answer, so that none runs on the
    /// server before the session's log level is in effect (over Streamable HTTP each
    /// request is a `POST` of its own and could overtake it).
    SettingLevel {
        /// The version `initialize` settled.
        version: ProtocolVersion,
    },
    /// The revision is settled.
    Ready {
        /// The lifecycle in use.
        era: Era,
        /// The version in use.
        version: ProtocolVersion,
    },
    /// Nothing more happens.
    Closed,
}

impl Phase {
    /// The era the connection is known to end up in: `None` only while probing.
    pub(crate) fn intended_era(&self) -> Option<Era> {
        match self {
            Phase::Probing { .. } | Phase::Closed => None,
            Phase::Initializing | Phase::SettingLevel { .. } => Some(Era::Legacy),
            Phase::Ready { era, .. } => Some(*era),
        }
    }
}

/// What the server told about itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ServerDetails {
    /// `serverInfo` (legacy) or `_meta` `io.modelcontextprotocol/serverInfo` (2026).
    pub(crate) info: Option<Implementation>,
    /// The server's capabilities.
    pub(crate) capabilities: Option<ServerCapabilities>,
    /// Guidance for the model.
    pub(crate) instructions: Option<String>,
}

impl ServerDetails {
    /// The details a discover result carries. The identity is read from `_meta` where
    /// the schema puts it, else from a body `serverInfo` some servers send.
    pub(crate) fn from_discover(discover: &DiscoverResult) -> Self {
        let from_meta = discover
            .meta
            .as_ref()
            .and_then(|meta| meta.server_info())
            .and_then(Result::ok);
        ServerDetails {
            info: from_meta.or_else(|| discover.server_info.clone()),
            capabilities: Some(discover.capabilities.clone()),
            instructions: discover.instructions.clone(),
        }
    }

    /// The details an `initialize` result carries.
    pub(crate) fn from_initialize(result: InitializeResult) -> Self {
        ServerDetails {
            info: Some(result.server_info),
            capabilities: Some(result.capabilities),
            instructions: result.instructions,
        }
    }
}

/// What the answer to a `server/discover` probe means.
#[derive(Debug, PartialEq)]
pub(crate) enum ProbeVerdict {
    /// A modern server; speak `version`.
    Modern {
        /// The newest per-request version both sides speak.
        version: ProtocolVersion,
        /// What the server said about itself.
        details: Box<ServerDetails>,
    },
    /// A modern server that refused the probe's version but serves `0`: ask again.
    Reprobe(ProtocolVersion),
    /// Not a modern server (or not one we can recognise): send `initialize`.
    Legacy,
    /// A modern server with no version in common: give up.
    Incompatible(String),
}

/// The per-request versions this client speaks.
fn our_modern_versions() -> Vec<ProtocolVersion> {
    versions_of(Era::Modern)
}

fn list(versions: &[String]) -> String {
    versions.join(", ")
}

/// Judges a successful answer to the probe: a well-formed discover result listing a
/// per-request version we speak makes the server modern; anything else (`{}` from a
/// legacy server answering unknown methods, no `supportedVersions` or `capabilities`, no
/// modern version in common) is a legacy advertisement.
pub(crate) fn judge_probe_result(body: &ResultBody) -> ProbeVerdict {
    let Ok(discover) = body.decode::<DiscoverResult>() else {
        return ProbeVerdict::Legacy;
    };
    let theirs: Vec<ProtocolVersion> = discover
        .supported_versions
        .iter()
        .map(|v| ProtocolVersion::parse(v))
        .collect();
    match select_modern(&our_modern_versions(), &theirs) {
        Some(version) => ProbeVerdict::Modern {
            version,
            details: Box::new(ServerDetails::from_discover(&discover)),
        },
        None => ProbeVerdict::Legacy,
    }
}

/// Judges an error answer to the probe. A `-32022` with well-formed `data.supported`
/// proves a modern server: probe once more at a version from the list we speak, and give
/// up (never fall back) when none is shared or this was already the second probe. Any
/// other error means a legacy server; the fallback is deliberately not keyed to one code.
pub(crate) fn judge_probe_error(
    error: &ErrorObject,
    probed: &ProtocolVersion,
    reprobed: bool,
) -> ProbeVerdict {
    let Some(data) = unsupported_version_data(error) else {
        // Not a recognisable modern error: the server is not speaking 2026 to us.
        return ProbeVerdict::Legacy;
    };
    match modern_choice(&data) {
        Some(version) if !reprobed => ProbeVerdict::Reprobe(version),
        Some(_) => ProbeVerdict::Incompatible(alloc::format!(
            "the server refused protocol version {probed} twice (it lists {})",
            list(&data.supported)
        )),
        None => ProbeVerdict::Incompatible(alloc::format!(
            "no protocol version in common: the server supports {}",
            list(&data.supported)
        )),
    }
}

/// The `data` of a well-formed `-32022` (a non-empty `supported` list).
fn unsupported_version_data(error: &ErrorObject) -> Option<UnsupportedProtocolVersionErrorData> {
    if error.code != ErrorCode::UNSUPPORTED_PROTOCOL_VERSION {
        return None;
    }
    error
        .data
        .as_ref()
        .and_then(|data| data.decode::<UnsupportedProtocolVersionErrorData>().ok())
        .filter(|data| !data.supported.is_empty())
}

/// The newest per-request version of `data.supported` this client speaks.
fn modern_choice(data: &UnsupportedProtocolVersionErrorData) -> Option<ProtocolVersion> {
    let theirs: Vec<ProtocolVersion> = data
        .supported
        .iter()
        .map(|v| ProtocolVersion::parse(v))
        .collect();
    select_modern(&our_modern_versions(), &theirs)
}

/// The version to send a 2026 request again at after the server refused it with
/// `-32022`: the newest per-request version of `data.supported` this client speaks
/// (possibly the one just refused: the server says it serves it). `None` for any other
/// error, or when no version is shared.
pub(crate) fn retry_version(error: &ErrorObject) -> Option<ProtocolVersion> {
    modern_choice(&unsupported_version_data(error)?)
}

/// Judges the answer to `initialize`: the result must decode and name a handshake-era
/// version we know (we ask for 2025-11-25; a server may answer with an older one). The
/// error string becomes [`CloseReason::Incompatible`](crate::connection::CloseReason).
pub(crate) fn judge_initialize(
    outcome: Result<&ResultBody, &ErrorObject>,
) -> Result<(ProtocolVersion, ServerDetails), String> {
    let body = match outcome {
        Ok(body) => body,
        Err(error) => {
            return Err(alloc::format!(
                "the server refused initialize: {} ({})",
                error.message,
                error.code.0
            ));
        }
    };
    let result: InitializeResult = body
        .decode()
        .map_err(|error| alloc::format!("invalid initialize result: {error}"))?;
    let version = ProtocolVersion::parse(&result.protocol_version);
    if version.era() != Some(Era::Legacy) {
        return Err(alloc::format!(
            "the server answered initialize with protocol version {version}, which this \
             client does not speak in the handshake era"
        ));
    }
    Ok((version, ServerDetails::from_initialize(result)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::RawJson;

    fn body(text: &str) -> ResultBody {
        ResultBody::from_object(RawJson::from_text(text).unwrap())
    }

    #[test]
    fn discover_results() {
        let good = body(
            r#"{"resultType":"complete","supportedVersions":["2025-11-25","2026-07-28"],"capabilities":{},"ttlMs":0,"cacheScope":"public","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"s","version":"2"}},"serverInfo":{"name":"body","version":"1"}}"#,
        );
        let ProbeVerdict::Modern { version, details } = judge_probe_result(&good) else {
            panic!("not modern")
        };
        assert_eq!(version, ProtocolVersion::V2026_07_28);
        assert_eq!(details.info.unwrap().name, "s");
        assert_eq!(judge_probe_result(&body("{}")), ProbeVerdict::Legacy);
        assert_eq!(
            judge_probe_result(&body(r#"{"supportedVersions":["2026-07-28"]}"#)),
            ProbeVerdict::Legacy
        );
        assert_eq!(
            judge_probe_result(&body(
                r#"{"supportedVersions":["2025-11-25","2099-01-01"],"capabilities":{}}"#
            )),
            ProbeVerdict::Legacy
        );
    }

    #[test]
    fn probe_errors() {
        let v = ProtocolVersion::V2026_07_28;
        let unsupported = |data: &str| {
            ErrorObject::new(ErrorCode::UNSUPPORTED_PROTOCOL_VERSION)
                .with_data(&serde_json::from_str::<serde_json::Value>(data).unwrap())
        };
        let both = unsupported(r#"{"supported":["2026-07-28"],"requested":"2026-07-28"}"#);
        assert_eq!(
            judge_probe_error(&both, &v, false),
            ProbeVerdict::Reprobe(v.clone())
        );
        assert!(matches!(
            judge_probe_error(&both, &v, true),
            ProbeVerdict::Incompatible(_)
        ));
        let none = unsupported(r#"{"supported":["2099-01-01"],"requested":"2026-07-28"}"#);
        assert!(matches!(
            judge_probe_error(&none, &v, false),
            ProbeVerdict::Incompatible(_)
        ));
        let malformed = unsupported(r#"{"supported":[]}"#);
        assert_eq!(
            judge_probe_error(&malformed, &v, false),
            ProbeVerdict::Legacy
        );
        let not_found = ErrorObject::new(ErrorCode::METHOD_NOT_FOUND);
        assert_eq!(
            judge_probe_error(&not_found, &v, false),
            ProbeVerdict::Legacy
        );
    }

    #[test]
    fn versions_to_retry_a_refused_request_at() {
        let unsupported = |data: &str| {
            ErrorObject::new(ErrorCode::UNSUPPORTED_PROTOCOL_VERSION)
                .with_data(&serde_json::from_str::<serde_json::Value>(data).unwrap())
        };
        assert_eq!(
            retry_version(&unsupported(
                r#"{"supported":["2025-11-25","2026-07-28"],"requested":"2027-01-01"}"#
            )),
            Some(ProtocolVersion::V2026_07_28)
        );
        assert_eq!(
            retry_version(&unsupported(
                r#"{"supported":["2025-11-25"],"requested":"x"}"#
            )),
            None
        );
        assert_eq!(retry_version(&unsupported(r#"{"supported":[]}"#)), None);
        assert_eq!(
            retry_version(&ErrorObject::new(ErrorCode::INVALID_PARAMS)),
            None
        );
    }

    #[test]
    fn initialize_results() {
        let ok = body(
            r#"{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"s","version":"1"},"instructions":"hi"}"#,
        );
        let (version, details) = judge_initialize(Ok(&ok)).unwrap();
        assert_eq!(version, ProtocolVersion::V2025_06_18);
        assert_eq!(details.instructions.as_deref(), Some("hi"));
        let modern = body(
            r#"{"protocolVersion":"2026-07-28","capabilities":{},"serverInfo":{"name":"s","version":"1"}}"#,
        );
        assert!(judge_initialize(Ok(&modern)).is_err());
        assert!(judge_initialize(Ok(&body("{}"))).is_err());
        assert!(judge_initialize(Err(&ErrorObject::new(ErrorCode::INVALID_PARAMS))).is_err());
    }
}
