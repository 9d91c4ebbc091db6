//! The fuzz body of sealed `requestState` ([`HmacSealer`]): a script of seals, opens of
//! arbitrary strings, opens of issued tokens (as they are, with one byte changed, cut or
//! grown, under another binding, at any time), key rotations and retirements.
//!
//! Byte 0 sets the sealer up: bits 0-1 the lifetime (0 ms, 1 ms, 1 s, 600 s), bits 2-3
//! the state bound (0, 1, 64 or 16 KiB bytes), bit 4 a second key rotated in at the start.
//! The rest is a script of steps (an opcode byte, a length byte, the argument; see
//! [`steps`](crate::testing::fuzz)).
//!
//! Checked against a model of what was issued: an arbitrary string never opens unless it
//! is a token this sealer issued (and then only as the model says); a token opens to
//! exactly its state under its own binding, while its key is held, up to its expiry (at
//! least the lifetime after sealing, at most one millisecond more); under another binding
//! it fails verification, after a retirement its key is unknown, after its expiry it has
//! expired; any change of one byte, a cut or an added byte never opens; a state over the
//! bound does not seal.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use crate::jsonrpc::Params;
use crate::mrtr::{HmacSealer, OpenError, SealError, StateBinding, StateSealer};
use crate::testing::fuzz::steps;
use crate::time::Timestamp;

/// The bindings tokens are sealed and opened under: methods, params and principals.
struct Bindings {
    params: Vec<Option<Params>>,
}

const METHODS: [&str; 4] = ["tools/call", "prompts/get", "resources/read", "tools/list"];
const PRINCIPALS: [Option<&str>; 3] = [None, Some("alice"), Some("bob")];

impl Bindings {
    fn new() -> Self {
        let texts = [
            r#"{"name":"deploy","arguments":{"env":"prod","replicas":3}}"#,
            r#"{"name":"deploy","arguments":{"env":"dev","replicas":3}}"#,
            r#"{"uri":"file:///a/b","requestState":"x","inputResponses":{}}"#,
        ];
        let mut params: Vec<Option<Params>> = alloc::vec![None];
        for text in texts {
            let value = serde_json::from_str::<serde_json::Value>(text).ok();
            params.push(value.and_then(|value| Params::from_serialize(&value).ok()));
        }
        Bindings { params }
    }

    /// Binding number `choice`: method, params and principal from its digits.
    fn get(&self, choice: u8) -> StateBinding<'static> {
        let choice = usize::from(choice);
        let method = METHODS
            .get(choice % METHODS.len())
            .copied()
            .unwrap_or("tools/call");
        let params = self
            .params
            .get(choice / METHODS.len() % self.params.len())
            .and_then(Option::as_ref);
        let principal = PRINCIPALS
            .get(choice / (METHODS.len() * self.params.len()) % PRINCIPALS.len())
            .copied()
            .flatten();
        StateBinding::for_request(method, params, principal)
    }
}

/// One token the sealer issued.
struct Issued {
    token: String,
    binding: StateBinding<'static>,
    state: Vec<u8>,
    sealed_at: Timestamp,
    key_id: String,
}

struct Run {
    sealer: HmacSealer,
    ttl: Duration,
    bindings: Bindings,
    issued: Vec<Issued>,
    now: Timestamp,
    next_key: u8,
}

impl Run {
    /// What opening `issued` under `binding` at `now` must give.
    fn expected(&self, issued: &Issued, binding: &StateBinding<'_>) -> Result<Vec<u8>, OpenError> {
        if !self.sealer.key_ids().any(|id| id == issued.key_id) {
            return Err(OpenError::UnknownKey);
        }
        if *binding != issued.binding {
            return Err(OpenError::Invalid);
        }
        Ok(issued.state.clone())
    }

    /// Opens `issued` under `binding` and checks the answer against the model.
    fn check_open(&self, index: usize, binding: &StateBinding<'_>) {
        let Some(issued) = self.issued.get(index) else {
            return;
        };
        let opened = self.sealer.open(self.now, binding, &issued.token);
        let expected = self.expected(issued, binding);
        let deadline = issued.sealed_at.saturating_add(self.ttl);
        let late = deadline.saturating_add(Duration::from_millis(1));
        match (&expected, &opened) {
            // Authentic: it opens up to its expiry, which lies between `deadline` and
            // one millisecond after it (the sealed expiry is rounded up to milliseconds).
            (Ok(_), Err(OpenError::Expired)) => {
                assert!(
                    self.now > deadline,
                    "expired early: sealed {:?}, ttl {:?}, now {:?}",
                    issued.sealed_at,
                    self.ttl,
                    self.now
                );
            }
            (Ok(state), Ok(opened)) => {
                assert_eq!(opened, state);
                assert!(
                    self.now <= late || late == Timestamp::from_nanos(u64::MAX),
                    "opened after its expiry"
                );
            }
            (expected, opened) => assert_eq!(expected, opened, "token {}", issued.token),
        }
    }

    /// An arbitrary string: it opens only as the model says for an issued token.
    fn open_arbitrary(&self, text: &str, binding: &StateBinding<'_>) {
        let opened = self.sealer.open(self.now, binding, text);
        if opened.is_ok() || matches!(opened, Err(OpenError::Expired)) {
            let index = self.issued.iter().position(|issued| issued.token == text);
            assert!(
                index.is_some(),
                "{text:?} is authentic but was never issued: {opened:?}"
            );
            if let Some(index) = index {
                self.check_open(index, binding);
            }
        }
    }

    fn seal(&mut self, binding: StateBinding<'static>, state: &[u8]) {
        let sealed = self.sealer.seal(self.now, &binding, state);
        if state.len() > self.sealer.max_state_len() {
            assert_eq!(sealed, Err(SealError::TooLarge));
            return;
        }
        assert!(
            sealed.is_ok(),
            "sealing {} bytes failed: {sealed:?}",
            state.len()
        );
        let Ok(token) = sealed else {
            return;
        };
        assert!(token.len() <= self.sealer.max_token_len());
        assert!(token.is_ascii());
        assert!(
            self.issued.iter().all(|issued| issued.token != token),
            "a token repeats"
        );
        let key_id = String::from(self.sealer.active_key_id());
        self.issued.push(Issued {
            token,
            binding,
            state: state.to_vec(),
            sealed_at: self.now,
            key_id,
        });
        self.check_open(self.issued.len() - 1, &binding);
    }

    /// Opens issued token `pick` changed at byte `at`: replaced by `byte`, cut there, or
    /// with `byte` inserted; never opens.
    fn tamper(&self, pick: usize, at: usize, byte: u8, how: u8) {
        if self.issued.is_empty() {
            return;
        }
        let Some(issued) = self.issued.get(pick % self.issued.len()) else {
            return;
        };
        let mut bytes = issued.token.clone().into_bytes();
        let at = at % (bytes.len() + 1);
        match how % 3 {
            0 => match bytes.get_mut(at) {
                Some(slot) if *slot != byte => *slot = byte,
                _ => return,
            },
            1 if at < bytes.len() => bytes.truncate(at),
            1 => return,
            _ => bytes.insert(at, byte),
        }
        let text = String::from_utf8_lossy(&bytes);
        assert_ne!(text, issued.token);
        let opened = self.sealer.open(self.now, &issued.binding, &text);
        assert!(
            opened.is_err() || self.issued.iter().any(|other| other.token == text),
            "a tampered token opened: {text:?}"
        );
    }
}

/// `requestState` sealing and opening run by `data`; see the module docs.
pub fn request_state(data: &[u8]) {
    let Some((&setup, script)) = data.split_first() else {
        return;
    };
    let ttl = match setup & 3 {
        0 => Duration::ZERO,
        1 => Duration::from_millis(1),
        2 => Duration::from_secs(1),
        _ => Duration::from_secs(600),
    };
    let max_state_len = match (setup >> 2) & 3 {
        0 => 0,
        1 => 1,
        2 => 64,
        _ => 16 * 1024,
    };
    let Ok(sealer) = HmacSealer::new("k0", [7; 32], [9; 16]) else {
        return;
    };
    let mut run = Run {
        sealer: sealer.with_ttl(ttl).with_max_state_len(max_state_len),
        ttl,
        bindings: Bindings::new(),
        issued: Vec::new(),
        now: Timestamp::from_millis(1_780_000_000_000),
        next_key: 1,
    };
    if setup & 0x10 != 0 {
        assert!(run.sealer.rotate("k-1", [8; 32]).is_ok());
    }
    for (op, argument) in steps(script) {
        let first = argument.first().copied().unwrap_or(0);
        let second = argument.get(1).copied().unwrap_or(0);
        match op % 8 {
            // Seal the rest of the argument under binding `first`.
            0 => {
                let binding = run.bindings.get(first);
                run.seal(binding, argument.get(1..).unwrap_or_default());
            }
            // Open an arbitrary string (the rest of the argument) under binding `first`.
            1 => {
                let binding = run.bindings.get(first);
                let text = String::from_utf8_lossy(argument.get(1..).unwrap_or_default());
                run.open_arbitrary(&text, &binding);
                // And with a genuine prefix, so the later checks are reached.
                if let Some(issued) = run.issued.last() {
                    let glued = format!("{}{text}", issued.token);
                    run.open_arbitrary(&glued, &binding);
                    let parts: Vec<&str> = issued.token.rsplitn(2, '.').collect();
                    if let Some(head) = parts.last() {
                        let forged = format!("{head}.{text}");
                        run.open_arbitrary(&forged, &binding);
                    }
                }
            }
            // Open issued token `first` under its binding, or under binding `second`.
            2 => {
                if !run.issued.is_empty() {
                    let index = usize::from(first) % run.issued.len();
                    let binding = match run.issued.get(index) {
                        Some(issued) if op & 0x80 == 0 => issued.binding,
                        _ => run.bindings.get(second),
                    };
                    run.check_open(index, &binding);
                }
            }
            // Tamper with issued token `first` at byte `second`.
            3 => {
                let byte = argument.get(2).copied().unwrap_or(b'A');
                run.tamper(usize::from(first), usize::from(second), byte, op >> 3);
            }
            // Time passes: milliseconds from the argument, scaled by the opcode.
            4 => {
                let millis = u64::from(u16::from_le_bytes([first, second]));
                let scale = match (op >> 3) % 4 {
                    1 => 1_000,
                    2 => 1_000_000,
                    _ => 1,
                };
                run.now = run
                    .now
                    .saturating_add(Duration::from_millis(millis.saturating_mul(scale)));
                if op >> 3 & 3 == 3 {
                    // Near the end of time, where the expiry saturates.
                    run.now = Timestamp::from_nanos(u64::MAX - u64::from(first) * 1_000_000);
                }
            }
            // Time jumps back (opening takes any `now`).
            5 => {
                let millis = u64::from(u16::from_le_bytes([first, second]));
                run.now =
                    Timestamp::from_nanos(run.now.as_nanos().saturating_sub(millis * 1_000_000));
            }
            // Rotate a new key in.
            6 => {
                // Ids are never reused for another key: at most 200 rotations.
                if run.next_key >= 200 {
                    continue;
                }
                let id = format!("k{}", run.next_key);
                run.next_key = run.next_key.wrapping_add(1);
                let _ = run.sealer.rotate(&id, [run.next_key; 32]);
            }
            // Retire key `first` (the active one refuses).
            _ => {
                let ids: Vec<String> = run.sealer.key_ids().map(String::from).collect();
                if let Some(id) = ids.get(usize::from(first) % ids.len().max(1)) {
                    let active = id == run.sealer.active_key_id();
                    assert_eq!(run.sealer.retire(id).is_err(), active);
                }
            }
        }
    }
    // Every issued token, at the end.
    for index in 0..run.issued.len() {
        if let Some(binding) = run.issued.get(index).map(|issued| issued.binding) {
            run.check_open(index, &binding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(setup: u8, steps: &[(u8, &[u8])]) -> Vec<u8> {
        let mut data = alloc::vec![setup];
        for (op, argument) in steps {
            data.push(*op);
            data.push(argument.len() as u8);
            data.extend_from_slice(argument);
        }
        data
    }

    #[test]
    fn sample_scripts() {
        let steps: &[(u8, &[u8])] = &[
            (0, b"\x05step=confirm"),
            (0, b"\x00"),
            (2, b"\x00"),
            (0x82, b"\x00\x07"),
            (
                1,
                b"\x05v1.k0.AAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            ),
            (3, b"\x00\x05Z"),
            (0x0B, b"\x00\x30"),
            (0x13, b"\x01\x03."),
            (6, b""),
            (0, b"\x09after rotation"),
            (4, b"\xFF\x00"),
            (2, b"\x01"),
            (7, b"\x01"),
            (2, b"\x00"),
            (4, b"\x58\x02"),
            (0x0C, b"\x01\x00"),
            (2, b"\x02"),
            // Around an expiry, a millisecond at a time.
            (0, b"\x00x"),
            (0x0C, b"\x58\x02"),
            (2, b"\x03"),
            (4, b"\x01\x00"),
            (2, b"\x03"),
            (4, b"\x01\x00"),
            (2, b"\x03"),
            (5, b"\xFF\xFF"),
            (0x1C, b"\x00\x00"),
            (0, b"\x00at the end of time"),
            (2, b"\x03"),
        ];
        for setup in [0x00, 0x01, 0x02, 0x0B, 0x0F, 0x1F, 0x13] {
            request_state(&script(setup, steps));
        }
        request_state(b"");
    }

    #[test]
    fn random_scripts() {
        for seed in 0..128u64 {
            let mut rng = crate::testing::Rng::new(seed);
            let random: Vec<u8> = (0..(rng.next_u64() % 300))
                .map(|_| rng.next_u64() as u8)
                .collect();
            request_state(&random);
        }
    }
}
