//! The default sealer: HMAC-SHA256 over a bound, expiring, nonce-carrying payload.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::mrtr::seal::{OpenError, SealError, StateBinding, StateSealer};
use crate::time::Timestamp;

/// How many keys an [`HmacSealer`] holds at most, the sealing key included; rotating
/// past this drops the oldest verification key, so tokens it sealed stop opening.
pub const MAX_KEYS: usize = 4;

/// The longest key id, in characters; ids are 1 to this many of `[A-Za-z0-9_-]`, so
/// they can never contain the token's `.` separator.
pub const MAX_KEY_ID_LEN: usize = 16;

/// The default lifetime of a sealed state, per round: 600 s, as the reference SDK uses.
pub const DEFAULT_TTL: Duration = Duration::from_secs(600);

/// The default bound on the application bytes in one state (16 KiB); longer states
/// neither seal nor open.
pub const DEFAULT_MAX_STATE_LEN: usize = 16 * 1024;

/// The token's version field.
const VERSION: &str = "v1";
/// Domain separation of the tag.
const TAG_DOMAIN: &[u8] = b"mcp-request-state/v1";
/// Domain separation of nonce derivation; differs from [`TAG_DOMAIN`] within its first
/// 20 bytes, so no nonce computation can ever be a tag computation.
const NONCE_DOMAIN: &[u8] = b"mcp-request-state/nonce/v1";
/// Bytes of the big-endian expiry at the start of the payload.
const EXPIRY_LEN: usize = 8;
/// Bytes of the nonce after the expiry.
const NONCE_LEN: usize = 16;
/// Bytes of payload before the application state.
const HEADER_LEN: usize = EXPIRY_LEN + NONCE_LEN;
/// Bytes of an HMAC-SHA256 tag.
const TAG_LEN: usize = 32;
/// Characters of a tag in unpadded base64url.
const TAG_B64_LEN: usize = 43;
/// SHA-256's block size: HMAC zero-pads shorter keys to it.
const BLOCK_LEN: usize = 64;
/// Nanoseconds per millisecond, the unit of the sealed expiry.
const NANOS_PER_MILLI: u64 = 1_000_000;

type HmacSha256 = Hmac<Sha256>;

/// Why a key could not be installed or retired.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The key id is empty, longer than [`MAX_KEY_ID_LEN`] or has a character outside
    /// `[A-Za-z0-9_-]`.
    #[error("key id must be 1-16 characters of [A-Za-z0-9_-]")]
    InvalidId,
    /// The sealer already holds a key with this id; reusing an id for another key would
    /// make its old tokens fail verification confusingly.
    #[error("a key with this id is already held")]
    DuplicateId,
    /// The key is the one currently sealing; rotate to a new key before retiring it.
    #[error("the sealing key cannot be retired")]
    Active,
}

/// One key: its id and the HMAC state already keyed with it.
struct SealKey {
    id: String,
    mac: HmacSha256,
}

impl SealKey {
    fn new(id: &str, key: &[u8; 32]) -> Result<SealKey, KeyError> {
        if !is_valid_key_id(id) {
            return Err(KeyError::InvalidId);
        }
        // HMAC zero-pads a key shorter than the block; doing so here lets the
        // infallible block-sized constructor stand in for `new_from_slice`.
        let mut block = [0u8; BLOCK_LEN];
        for (slot, byte) in block.iter_mut().zip(key) {
            *slot = *byte;
        }
        Ok(SealKey {
            id: String::from(id),
            mac: <HmacSha256 as KeyInit>::new(&block.into()),
        })
    }
}

/// True when `id` is 1 to [`MAX_KEY_ID_LEN`] characters of `[A-Za-z0-9_-]`.
fn is_valid_key_id(id: &str) -> bool {
    (1..=MAX_KEY_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The default [`StateSealer`]: HMAC-SHA256 tokens bound to the request, the principal
/// and an expiry, with key rotation.
///
/// Tokens are `v1.<key_id>.<payload>.<tag>` (see the [module docs](crate::mrtr) for the
/// exact layout). Sealing is deterministic for a given nonce seed: two sealers built with
/// the same keys and seed and fed the same inputs produce the same bytes, while each seal
/// of one sealer draws a fresh nonce. Give every process its own seed from a random
/// source (and every replica the same keys), so that nonces never repeat across them.
pub struct HmacSealer {
    /// The key that seals.
    active: SealKey,
    /// Older keys kept for opening only, oldest first; at most `MAX_KEYS - 1`.
    previous: Vec<SealKey>,
    nonce_seed: [u8; 16],
    counter: u64,
    ttl: Duration,
    max_state_len: usize,
}

impl HmacSealer {
    /// A sealer that seals with `key` under `key_id` (1–16 characters of
    /// `[A-Za-z0-9_-]`, carried in every token so replicas and rotations can pick the
    /// right key), deriving per-seal nonces from `nonce_seed`. Keys must be random and
    /// shared by every replica that may receive the retry; the seed should be random
    /// per process.
    pub fn new(key_id: &str, key: [u8; 32], nonce_seed: [u8; 16]) -> Result<Self, KeyError> {
        Ok(HmacSealer {
            active: SealKey::new(key_id, &key)?,
            previous: Vec::new(),
            nonce_seed,
            counter: 0,
            ttl: DEFAULT_TTL,
            max_state_len: DEFAULT_MAX_STATE_LEN,
        })
    }

    /// Sets how long a sealed state stays valid after sealing (default [`DEFAULT_TTL`]);
    /// short lifetimes narrow the replay window.
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long a sealed state stays valid after sealing.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Bounds the application bytes of one state (default [`DEFAULT_MAX_STATE_LEN`]):
    /// `seal` refuses longer states and `open` refuses any token longer than such a state
    /// could make, before decoding it, which caps what an attacker can make us allocate.
    #[must_use]
    pub fn with_max_state_len(mut self, max_state_len: usize) -> Self {
        self.max_state_len = max_state_len;
        self
    }

    /// The bound on the application bytes of one state.
    pub fn max_state_len(&self) -> usize {
        self.max_state_len
    }

    /// The longest token [`open`](StateSealer::open) will look at: one carrying a
    /// state of [`max_state_len`](Self::max_state_len) bytes under the longest key id.
    pub fn max_token_len(&self) -> usize {
        (VERSION.len() + 1 + MAX_KEY_ID_LEN + 1)
            .saturating_add(encoded_len(HEADER_LEN.saturating_add(self.max_state_len)))
            .saturating_add(1 + TAG_B64_LEN)
    }

    /// The id of the key that seals.
    pub fn active_key_id(&self) -> &str {
        &self.active.id
    }

    /// The ids of every key that opens tokens, the sealing key first, then the older
    /// ones from newest to oldest.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> + '_ {
        core::iter::once(self.active.id.as_str())
            .chain(self.previous.iter().rev().map(|key| key.id.as_str()))
    }

    /// Makes `key` under `key_id` the sealing key from now on. The previous sealing key
    /// stays for opening the tokens it sealed until it is [retired](Self::retire) or
    /// pushed out: at most [`MAX_KEYS`] are held, and the oldest goes first.
    pub fn rotate(&mut self, key_id: &str, key: [u8; 32]) -> Result<(), KeyError> {
        let new = SealKey::new(key_id, &key)?;
        if self.key_ids().any(|id| id == key_id) {
            return Err(KeyError::DuplicateId);
        }
        let old = core::mem::replace(&mut self.active, new);
        self.previous.push(old);
        while self.previous.len() >= MAX_KEYS {
            self.previous.remove(0);
        }
        Ok(())
    }

    /// Stops opening tokens sealed under `key_id` (for instance once every token it
    /// sealed has expired, or when it leaked). Retiring an id that is not held does
    /// nothing; the sealing key cannot be retired.
    pub fn retire(&mut self, key_id: &str) -> Result<(), KeyError> {
        if self.active.id == key_id {
            return Err(KeyError::Active);
        }
        self.previous.retain(|key| key.id != key_id);
        Ok(())
    }

    /// The key that opens tokens sealed under `key_id`.
    fn key(&self, key_id: &str) -> Option<&SealKey> {
        core::iter::once(&self.active)
            .chain(self.previous.iter())
            .find(|key| key.id == key_id)
    }

    /// The next nonce: HMAC(sealing key, nonce domain ‖ seed ‖ counter), first 16 bytes.
    fn next_nonce(&mut self) -> [u8; NONCE_LEN] {
        let mut mac = self.active.mac.clone();
        mac.update(NONCE_DOMAIN);
        mac.update(&self.nonce_seed);
        mac.update(&self.counter.to_be_bytes());
        self.counter = self.counter.wrapping_add(1);
        let full = mac.finalize().into_bytes();
        let mut nonce = [0u8; NONCE_LEN];
        for (slot, byte) in nonce.iter_mut().zip(full.iter()) {
            *slot = *byte;
        }
        nonce
    }
}

/// The HMAC over everything a token is bound to, keyed with `key`, ready to finalise or
/// verify.
fn tag_mac(key: &SealKey, binding: &StateBinding<'_>, payload: &[u8]) -> HmacSha256 {
    let mut mac = key.mac.clone();
    mac.update(TAG_DOMAIN);
    put_bytes(&mut mac, key.id.as_bytes());
    put_bytes(&mut mac, binding.method.as_bytes());
    mac.update(&binding.params_digest);
    match binding.principal {
        None => mac.update(&[0]),
        Some(principal) => {
            mac.update(&[1]);
            put_bytes(&mut mac, principal.as_bytes());
        }
    }
    mac.update(payload);
    mac
}

/// Feeds `bytes` behind their length as eight big-endian bytes.
fn put_bytes(mac: &mut HmacSha256, bytes: &[u8]) {
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    mac.update(&len.to_be_bytes());
    mac.update(bytes);
}

/// Characters of `len` bytes in unpadded base64 (saturating).
fn encoded_len(len: usize) -> usize {
    let tail = match len % 3 {
        0 => 0,
        1 => 2,
        _ => 3,
    };
    (len / 3).saturating_mul(4).saturating_add(tail)
}

impl StateSealer for HmacSealer {
    fn seal(
        &mut self,
        now: Timestamp,
        binding: &StateBinding<'_>,
        state: &[u8],
    ) -> Result<String, SealError> {
        if state.len() > self.max_state_len {
            return Err(SealError::TooLarge);
        }
        // Rounded up, so a token is valid for at least the whole ttl.
        let expiry = now
            .saturating_add(self.ttl)
            .as_nanos()
            .div_ceil(NANOS_PER_MILLI);
        let nonce = self.next_nonce();
        let mut payload = Vec::with_capacity(HEADER_LEN + state.len());
        payload.extend_from_slice(&expiry.to_be_bytes());
        payload.extend_from_slice(&nonce);
        payload.extend_from_slice(state);
        let tag = tag_mac(&self.active, binding, &payload)
            .finalize()
            .into_bytes();

        let mut token = String::with_capacity(
            VERSION.len() + self.active.id.len() + encoded_len(payload.len()) + TAG_B64_LEN + 3,
        );
        token.push_str(VERSION);
        token.push('.');
        token.push_str(&self.active.id);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(tag, &mut token);
        Ok(token)
    }

    fn open(
        &self,
        now: Timestamp,
        binding: &StateBinding<'_>,
        sealed: &str,
    ) -> Result<Vec<u8>, OpenError> {
        if sealed.len() > self.max_token_len() {
            return Err(OpenError::TooLarge);
        }
        let mut parts = sealed.split('.');
        let (Some(version), Some(key_id), Some(payload_b64), Some(tag_b64), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(OpenError::Malformed);
        };
        if version != VERSION || !is_valid_key_id(key_id) || tag_b64.len() != TAG_B64_LEN {
            return Err(OpenError::Malformed);
        }
        // A shorter key id leaves room in the overall bound; the payload has its own.
        if payload_b64.len() > encoded_len(HEADER_LEN.saturating_add(self.max_state_len)) {
            return Err(OpenError::TooLarge);
        }
        let mut tag = [0u8; TAG_LEN];
        if URL_SAFE_NO_PAD.decode_slice(tag_b64, &mut tag) != Ok(TAG_LEN) {
            return Err(OpenError::Malformed);
        }
        let mut payload = Vec::new();
        URL_SAFE_NO_PAD
            .decode_vec(payload_b64, &mut payload)
            .map_err(|_| OpenError::Malformed)?;
        if payload.len() < HEADER_LEN {
            return Err(OpenError::Malformed);
        }
        let Some(expiry) = payload.first_chunk::<EXPIRY_LEN>() else {
            return Err(OpenError::Malformed);
        };
        let expiry = u64::from_be_bytes(*expiry);

        let key = self.key(key_id).ok_or(OpenError::UnknownKey)?;
        tag_mac(key, binding, &payload)
            .verify_slice(&tag)
            .map_err(|_| OpenError::Invalid)?;
        if now.as_nanos() > expiry.saturating_mul(NANOS_PER_MILLI) {
            return Err(OpenError::Expired);
        }
        payload.drain(..HEADER_LEN);
        Ok(payload)
    }
}

impl fmt::Debug for HmacSealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Ids only: neither keys nor the nonce seed belong in logs.
        struct Ids<'a>(&'a HmacSealer);
        impl fmt::Debug for Ids<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.0.key_ids()).finish()
            }
        }
        f.debug_struct("HmacSealer")
            .field("key_ids", &Ids(self))
            .field("ttl", &self.ttl)
            .field("max_state_len", &self.max_state_len)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::RawJson;
    use crate::jsonrpc::Params;
    use alloc::format;
    use alloc::string::ToString;
    use proptest::prelude::*;

    const KEY: [u8; 32] = [7; 32];
    const SEED: [u8; 16] = [9; 16];
    const T0: Timestamp = Timestamp::from_millis(1_700_000_000_000);

    fn sealer() -> HmacSealer {
        HmacSealer::new("k1", KEY, SEED).unwrap()
    }

    fn params(text: &str) -> Params {
        Params::from_object(RawJson::from_text(text).unwrap())
    }

    fn call(arguments: &str) -> Params {
        params(&format!(r#"{{"name":"deploy","arguments":{arguments}}}"#))
    }

    fn binding<'a>(params: &Params, principal: Option<&'a str>) -> StateBinding<'a> {
        StateBinding::for_request("tools/call", Some(params), principal)
    }

    /// Replaces the character at `index` with another base64url character.
    fn change_char(token: &str, index: usize) -> String {
        let mut bytes = token.as_bytes().to_vec();
        bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn round_trips_including_empty_state() {
        let mut sealer = sealer();
        let p = call(r#"{"env":"prod"}"#);
        let b = binding(&p, Some("alice"));
        for state in [
            &b""[..],
            b"step=2",
            &[0u8, 255, 1, 2][..],
            &[0x5a; 1000][..],
        ] {
            let token = sealer.seal(T0, &b, state).unwrap();
            assert!(token.starts_with("v1.k1."));
            assert!(
                token
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c))
            );
            assert_eq!(sealer.open(T0, &b, &token).unwrap(), state);
        }
    }

    #[test]
    fn tampered_tokens_never_open() {
        let mut sealer = sealer();
        let p = call(r#"{"env":"prod"}"#);
        let b = binding(&p, None);
        let token = sealer.seal(T0, &b, b"{\"step\":1}").unwrap();
        let dots: Vec<usize> = token.match_indices('.').map(|(i, _)| i).collect();
        let (payload_at, tag_at) = (dots[1] + 1, dots[2] + 1);

        // One character of the payload, first and last.
        for index in [payload_at, dots[2] - 1] {
            let tampered = change_char(&token, index);
            assert!(
                matches!(
                    sealer.open(T0, &b, &tampered),
                    Err(OpenError::Invalid | OpenError::Malformed)
                ),
                "{tampered}"
            );
        }
        // One character of the tag, first and last.
        for index in [tag_at, token.len() - 1] {
            let tampered = change_char(&token, index);
            assert!(matches!(
                sealer.open(T0, &b, &tampered),
                Err(OpenError::Invalid | OpenError::Malformed)
            ));
        }
        // What the official conformance suite sends.
        let tampered = format!("{token}-TAMPERED");
        assert!(matches!(
            sealer.open(T0, &b, &tampered),
            Err(OpenError::Invalid | OpenError::Malformed)
        ));
        // Truncations and structural damage.
        for tampered in [
            &token[..token.len() - 1],
            &token[..dots[2]],
            "",
            "v1",
            "v1...",
            &token.replacen("v1.", "v2.", 1),
            &token.replacen("v1.", "", 1),
            &format!("{token}."),
        ] {
            assert_eq!(sealer.open(T0, &b, tampered), Err(OpenError::Malformed));
        }
        // Untouched, it still opens.
        assert!(sealer.open(T0, &b, &token).is_ok());
    }

    #[test]
    fn opens_only_under_its_binding() {
        let mut sealer = sealer();
        let p = call(r#"{"env":"prod","replicas":3}"#);
        let token = sealer.seal(T0, &binding(&p, Some("alice")), b"s").unwrap();

        let other_args = call(r#"{"env":"dev","replicas":3}"#);
        let other_tool = params(r#"{"name":"destroy","arguments":{"env":"prod","replicas":3}}"#);
        let cases = [
            StateBinding::for_request("prompts/get", Some(&p), Some("alice")),
            binding(&other_args, Some("alice")),
            binding(&other_tool, Some("alice")),
            binding(&p, Some("mallory")),
            binding(&p, None),
            binding(&p, Some("")),
        ];
        for other in cases {
            assert_eq!(sealer.open(T0, &other, &token), Err(OpenError::Invalid));
        }
        // An empty principal is not "no principal" either way round.
        let token = sealer.seal(T0, &binding(&p, None), b"s").unwrap();
        assert_eq!(
            sealer.open(T0, &binding(&p, Some("")), &token),
            Err(OpenError::Invalid)
        );
    }

    #[test]
    fn retry_with_reserialised_arguments_opens() {
        let mut sealer = sealer();
        let first = call(r#"{"env":"prod","opts":{"a":1,"b":[true,null]}}"#);
        let token = sealer.seal(T0, &binding(&first, None), b"s").unwrap();
        let retry = params(&format!(
            r#"{{ "requestState" : "{token}", "inputResponses": {{"x":{{"action":"accept"}}}},
                 "arguments" : {{ "opts" : {{ "b" : [ true , null ], "a" : 1 }}, "env" : "prod" }},
                 "_meta": {{"progressToken": 5}}, "name" : "deploy" }}"#
        ));
        assert_eq!(binding(&first, None), binding(&retry, None));
        assert_eq!(
            sealer.open(T0, &binding(&retry, None), &token).unwrap(),
            b"s"
        );
    }

    #[test]
    fn expires_after_ttl_and_not_before() {
        let mut sealer = sealer().with_ttl(Duration::from_secs(60));
        assert_eq!(sealer.ttl(), Duration::from_secs(60));
        let p = call("{}");
        let b = binding(&p, None);
        let token = sealer.seal(T0, &b, b"s").unwrap();
        let at_expiry = T0.saturating_add(Duration::from_secs(60));
        assert!(sealer.open(at_expiry, &b, &token).is_ok());
        assert_eq!(
            sealer.open(
                at_expiry.saturating_add(Duration::from_millis(1)),
                &b,
                &token
            ),
            Err(OpenError::Expired)
        );
        assert_eq!(
            sealer.open(Timestamp::from_nanos(u64::MAX), &b, &token),
            Err(OpenError::Expired)
        );
        // A sub-millisecond seal time rounds the expiry up, never down.
        let odd = Timestamp::from_nanos(T0.as_nanos() + 1);
        let token = sealer.seal(odd, &b, b"s").unwrap();
        assert!(
            sealer
                .open(odd.saturating_add(Duration::from_secs(60)), &b, &token)
                .is_ok()
        );
        // The expiry is authenticated: pushing it out breaks the tag, which is checked
        // first, so a stale token cannot be made fresh.
        let late = T0.saturating_add(Duration::from_secs(3600));
        let parts: Vec<&str> = token.split('.').collect();
        let mut payload = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        payload[..8].copy_from_slice(&u64::MAX.to_be_bytes());
        let forged = format!("v1.k1.{}.{}", URL_SAFE_NO_PAD.encode(&payload), parts[3]);
        assert_eq!(sealer.open(late, &b, &forged), Err(OpenError::Invalid));
        assert_eq!(sealer.open(late, &b, &token), Err(OpenError::Expired));
        assert_eq!(DEFAULT_TTL, HmacSealer::new("k", KEY, SEED).unwrap().ttl());
    }

    #[test]
    fn unknown_key_ids_are_reported() {
        let mut sealer = sealer();
        let p = call("{}");
        let b = binding(&p, None);
        let token = sealer.seal(T0, &b, b"s").unwrap();
        let other = HmacSealer::new("k2", KEY, SEED).unwrap();
        assert_eq!(other.open(T0, &b, &token), Err(OpenError::UnknownKey));
        // Same id, another key: the tag does not verify.
        let impostor = HmacSealer::new("k1", [8; 32], SEED).unwrap();
        assert_eq!(impostor.open(T0, &b, &token), Err(OpenError::Invalid));
        // Renaming the key id in a token breaks the tag, since the id is bound.
        let mut rotated = HmacSealer::new("k2", KEY, SEED).unwrap();
        rotated.rotate("k1", [8; 32]).unwrap();
        let renamed = token.replacen("v1.k1.", "v1.k2.", 1);
        assert_eq!(rotated.open(T0, &b, &renamed), Err(OpenError::Invalid));
    }

    #[test]
    fn rotation_keeps_old_tokens_until_retired() {
        let mut sealer = sealer();
        let p = call("{}");
        let b = binding(&p, None);
        let old = sealer.seal(T0, &b, b"old").unwrap();
        sealer.rotate("k2", [2; 32]).unwrap();
        assert_eq!(sealer.active_key_id(), "k2");
        let new = sealer.seal(T0, &b, b"new").unwrap();
        assert!(new.starts_with("v1.k2."));
        assert_eq!(sealer.open(T0, &b, &old).unwrap(), b"old");
        assert_eq!(sealer.open(T0, &b, &new).unwrap(), b"new");

        assert_eq!(sealer.retire("k2"), Err(KeyError::Active));
        sealer.retire("k1").unwrap();
        sealer.retire("never-held").unwrap();
        assert_eq!(sealer.open(T0, &b, &old), Err(OpenError::UnknownKey));
        assert_eq!(sealer.open(T0, &b, &new).unwrap(), b"new");
    }

    #[test]
    fn rotation_is_bounded_and_validated() {
        let mut sealer = sealer();
        let p = call("{}");
        let b = binding(&p, None);
        let first = sealer.seal(T0, &b, b"s").unwrap();
        for (i, id) in ["k2", "k3", "k4"].into_iter().enumerate() {
            sealer.rotate(id, [i as u8; 32]).unwrap();
        }
        assert_eq!(
            sealer.key_ids().collect::<Vec<_>>(),
            ["k4", "k3", "k2", "k1"]
        );
        assert!(sealer.open(T0, &b, &first).is_ok());
        sealer.rotate("k5", [5; 32]).unwrap();
        assert_eq!(sealer.key_ids().count(), MAX_KEYS);
        assert_eq!(sealer.open(T0, &b, &first), Err(OpenError::UnknownKey));

        assert_eq!(sealer.rotate("k3", [1; 32]), Err(KeyError::DuplicateId));
        assert_eq!(sealer.rotate("k5", [1; 32]), Err(KeyError::DuplicateId));
        for bad in ["", "a.b", "toolongkeyid_0123", "ké", "a b", "a/b"] {
            assert_eq!(
                sealer.rotate(bad, [1; 32]),
                Err(KeyError::InvalidId),
                "{bad}"
            );
            assert_eq!(
                HmacSealer::new(bad, KEY, SEED).map(|_| ()),
                Err(KeyError::InvalidId)
            );
        }
        assert!(HmacSealer::new("Az09_-Az09_-Az09", KEY, SEED).is_ok());
        assert_eq!(sealer.active_key_id(), "k5");
    }

    #[test]
    fn nonces_are_fresh_and_deterministic() {
        let p = call("{}");
        let b = binding(&p, None);
        let (mut one, mut two) = (sealer(), sealer());
        let seq_one: Vec<String> = (0..4).map(|_| one.seal(T0, &b, b"same").unwrap()).collect();
        let seq_two: Vec<String> = (0..4).map(|_| two.seal(T0, &b, b"same").unwrap()).collect();
        assert_eq!(seq_one, seq_two);
        for (i, a) in seq_one.iter().enumerate() {
            for c in seq_one.iter().skip(i + 1) {
                assert_ne!(a, c);
            }
        }
        let mut reseeded = HmacSealer::new("k1", KEY, [10; 16]).unwrap();
        assert_ne!(reseeded.seal(T0, &b, b"same").unwrap(), seq_one[0]);
    }

    #[test]
    fn keyed_state_matches_plain_hmac() {
        let key = SealKey::new("k1", &KEY).unwrap();
        let mut reference = HmacSha256::new_from_slice(&KEY).unwrap();
        reference.update(b"message");
        let mut ours = key.mac.clone();
        ours.update(b"message");
        assert_eq!(
            ours.finalize().into_bytes(),
            reference.finalize().into_bytes()
        );
    }

    #[test]
    fn oversized_inputs_are_too_large() {
        let mut sealer = sealer().with_max_state_len(100);
        assert_eq!(sealer.max_state_len(), 100);
        let p = call("{}");
        let b = binding(&p, None);
        assert_eq!(sealer.seal(T0, &b, &[0; 101]), Err(SealError::TooLarge));
        let token = sealer.seal(T0, &b, &[0; 100]).unwrap();
        assert!(token.len() <= sealer.max_token_len());
        assert!(sealer.open(T0, &b, &token).is_ok());
        // A longer id would fit, so a token of the maximal state under a short id is
        // below the bound.
        let huge = "v".repeat(sealer.max_token_len() + 1);
        assert_eq!(sealer.open(T0, &b, &huge), Err(OpenError::TooLarge));
        assert_eq!(
            sealer.open(T0, &b, &"A".repeat(10_000_000)),
            Err(OpenError::TooLarge)
        );
        // Within the overall bound but with a payload longer than any state could make.
        let dots: Vec<usize> = token.match_indices('.').map(|(i, _)| i).collect();
        let padded = format!("{}AAAA{}", &token[..dots[2]], &token[dots[2]..]);
        assert!(padded.len() <= sealer.max_token_len());
        assert_eq!(sealer.open(T0, &b, &padded), Err(OpenError::TooLarge));
        // Extreme bounds do not overflow.
        let unbounded = HmacSealer::new("k1", KEY, SEED)
            .unwrap()
            .with_max_state_len(usize::MAX);
        assert_eq!(unbounded.max_token_len(), usize::MAX);
        assert_eq!(
            unbounded.open(T0, &b, "v1.k1.AA.AA"),
            Err(OpenError::Malformed)
        );
    }

    #[test]
    fn debug_shows_ids_but_no_key_material() {
        let mut sealer = HmacSealer::new("k1", [0xAB; 32], [0xCD; 16]).unwrap();
        sealer.rotate("k2", [0xEF; 32]).unwrap();
        let text = format!("{sealer:?}");
        assert!(text.contains("\"k2\"") && text.contains("\"k1\""), "{text}");
        for needle in [
            "171", "205", "239", "ab", "AB", "cd", "CD", "ef", "EF", "seed",
        ] {
            assert!(!text.contains(needle), "{needle} in {text}");
        }
    }

    #[test]
    fn works_as_a_boxed_trait_object() {
        let mut boxed: alloc::boxed::Box<dyn StateSealer + Send> = alloc::boxed::Box::new(sealer());
        let p = call("{}");
        let b = binding(&p, None);
        let token = boxed.seal(T0, &b, b"s").unwrap();
        assert_eq!(boxed.open(T0, &b, &token).unwrap(), b"s");
        assert_eq!(
            OpenError::Invalid.to_string(),
            "requestState failed verification"
        );
    }

    /// Base64url and token-shaped characters, so generated strings get past the cheap
    /// checks often.
    fn token_like() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[A-Za-z0-9_.-]{0,120}",
            "v1\\.k[0-9]\\.[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{43}",
        ]
    }

    proptest! {
        #[test]
        fn open_never_panics_and_never_accepts_forgeries(
            input in token_like(),
            state in proptest::collection::vec(any::<u8>(), 0..64),
            edit in 0usize..400,
            replacement in "[A-Za-z0-9_.-]",
            insert in any::<bool>(),
        ) {
            let mut sealer = sealer();
            let p = call(r#"{"x":1}"#);
            let b = binding(&p, Some("alice"));
            let genuine = sealer.seal(T0, &b, &state).unwrap();
            let later = T0.saturating_add(Duration::from_secs(1));

            // Arbitrary strings: never Ok, never a panic.
            prop_assert!(sealer.open(later, &b, &input).is_err());

            // Single-character edits of a genuine token: Ok only if nothing changed.
            let mut edited = genuine.clone().into_bytes();
            let at = edit % (edited.len() + 1);
            let c = replacement.as_bytes()[0];
            if insert || at == edited.len() {
                edited.insert(at, c);
            } else {
                edited[at] = c;
            }
            let edited = String::from_utf8(edited).unwrap();
            match sealer.open(later, &b, &edited) {
                Ok(opened) => {
                    prop_assert_eq!(&edited, &genuine);
                    prop_assert_eq!(opened, state.clone());
                }
                Err(_) => prop_assert_ne!(&edited, &genuine),
            }
            // Deletions too.
            if !genuine.is_empty() {
                let mut shorter = genuine.clone();
                shorter.remove(edit % genuine.len());
                prop_assert!(sealer.open(later, &b, &shorter).is_err());
            }
            prop_assert_eq!(sealer.open(later, &b, &genuine).unwrap(), state);
        }
    }

    #[test]
    fn sealed_layout_is_as_documented() {
        let mut sealer = sealer();
        let p = call("{}");
        let b = binding(&p, Some("alice"));
        let token = sealer.seal(T0, &b, b"hi").unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 4);
        assert_eq!((parts[0], parts[1]), ("v1", "k1"));
        let payload = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let expiry = u64::from_be_bytes(payload[..8].try_into().unwrap());
        assert_eq!(expiry, T0.as_millis() + 600_000);
        assert_eq!(&payload[24..], b"hi");
        let tag = URL_SAFE_NO_PAD.decode(parts[3]).unwrap();
        // Recompute the tag by hand from the documented layout.
        let mut mac = HmacSha256::new_from_slice(&KEY).unwrap();
        mac.update(b"mcp-request-state/v1");
        mac.update(&2u64.to_be_bytes());
        mac.update(b"k1");
        mac.update(&10u64.to_be_bytes());
        mac.update(b"tools/call");
        mac.update(&b.params_digest);
        mac.update(&[1]);
        mac.update(&5u64.to_be_bytes());
        mac.update(b"alice");
        mac.update(&payload);
        assert_eq!(mac.finalize().into_bytes().to_vec(), tag);
        // And the nonce from the documented derivation.
        let mut mac = HmacSha256::new_from_slice(&KEY).unwrap();
        mac.update(b"mcp-request-state/nonce/v1");
        mac.update(&SEED);
        mac.update(&0u64.to_be_bytes());
        assert_eq!(&mac.finalize().into_bytes()[..16], &payload[8..24]);
    }
}
