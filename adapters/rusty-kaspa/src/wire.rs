//! The adapter protocol's framing and encodings (spec/adapter.md), independent of Kaspa.

use serde_json::{Map, Value};

/// Longest request line, newline excluded.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Largest request id (and largest count on the wire).
pub const MAX_ID: u64 = (1 << 53) - 1;
/// Most hex digits of a `"0x…"` integer.
pub const MAX_HEX_DIGITS: usize = 128;

/// An error reply: a canonical code and a message for humans.
#[derive(Debug)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

pub fn bad_request(message: impl Into<String>) -> Failure {
    Failure::new("BAD_REQUEST", message)
}

/// `(id, method, params)` of a line, or the error reply's id (when readable) and failure.
pub fn parse_request(
    line: &[u8],
) -> Result<(u64, String, Map<String, Value>), (Option<u64>, Failure)> {
    if line.len() > MAX_LINE_BYTES {
        return Err((None, bad_request("line longer than 1 MiB")));
    }
    let message: Value =
        serde_json::from_slice(line).map_err(|e| (None, bad_request(format!("not JSON: {e}"))))?;
    let Value::Object(object) = message else {
        return Err((None, bad_request("a request is a JSON object")));
    };
    let id = count(object.get("id"), "id").map_err(|f| (None, f))?;
    let with_id = |f: Failure| (Some(id), f);
    check_keys(&object, "request", &["id", "method", "params"], &[]).map_err(with_id)?;
    let Some(Value::String(method)) = object.get("method") else {
        return Err(with_id(bad_request("method must be a string")));
    };
    let Some(Value::Object(params)) = object.get("params") else {
        return Err(with_id(bad_request("params must be an object")));
    };
    Ok((id, method.clone(), params.clone()))
}

/// `BAD_REQUEST` unless every required key is present and no other key but the optional ones.
pub fn check_keys(
    object: &Map<String, Value>,
    where_: &str,
    required: &[&str],
    optional: &[&str],
) -> Result<(), Failure> {
    for key in required {
        if !object.contains_key(*key) {
            return Err(bad_request(format!("{where_} lacks {key}")));
        }
    }
    for key in object.keys() {
        if !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
            return Err(bad_request(format!("{where_} has unknown field {key}")));
        }
    }
    Ok(())
}

/// A JSON integer 0..2^53-1.
pub fn count(value: Option<&Value>, where_: &str) -> Result<u64, Failure> {
    match value.and_then(Value::as_u64) {
        Some(n) if n <= MAX_ID && value.is_some_and(|v| !v.is_f64()) => Ok(n),
        _ => Err(bad_request(format!(
            "{where_} must be an integer 0..2^53-1"
        ))),
    }
}

/// A 32-byte hash: exactly 64 lowercase hex characters, byte 0 first.
pub fn hash(value: Option<&Value>, where_: &str) -> Result<[u8; 32], Failure> {
    let text = match value {
        Some(Value::String(text)) if text.len() == 64 && text.bytes().all(is_lower_hex) => text,
        _ => {
            return Err(bad_request(format!(
                "{where_} must be 64 lowercase hex characters"
            )))
        }
    };
    let mut out = [0u8; 32];
    for (i, pair) in text.as_bytes().chunks(2).enumerate() {
        out[i] = (nibble(pair[0]) << 4) | nibble(pair[1]);
    }
    Ok(out)
}

/// An array of hashes, order and duplicates kept.
pub fn hash_list(value: Option<&Value>, where_: &str) -> Result<Vec<[u8; 32]>, Failure> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| hash(Some(item), &format!("{where_}[{i}]")))
            .collect(),
        _ => Err(bad_request(format!("{where_} must be an array of hashes"))),
    }
}

/// A canonical `"0x…"` integer, returned as its canonical text (which compares like the number).
pub fn big_int(value: Option<&Value>, where_: &str) -> Result<String, Failure> {
    if let Some(Value::String(text)) = value {
        if let Some(digits) = text.strip_prefix("0x") {
            let canonical = !digits.is_empty()
                && digits.len() <= MAX_HEX_DIGITS
                && digits.bytes().all(is_lower_hex)
                && (digits == "0" || !digits.starts_with('0'));
            if canonical {
                return Ok(text.clone());
            }
        }
    }
    Err(bad_request(format!(
        "{where_} must be a string 0x… in lowercase hex without leading zeros"
    )))
}

pub fn object<'a>(
    value: Option<&'a Value>,
    where_: &str,
) -> Result<&'a Map<String, Value>, Failure> {
    match value {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(bad_request(format!("{where_} must be an object"))),
    }
}

/// Which form names a block's target: the spec's difficulty or Kaspa's compact bits.
pub enum TargetForm {
    /// A difficulty (validated on the wire; Kaspa has no such form).
    Difficulty,
    /// Compact bits as sent (possibly beyond `u32`).
    Bits(u64),
}

/// Exactly one of `difficulty` / `bits` in `params`, well-formed on the wire.
pub fn target_form(params: &Map<String, Value>, where_: &str) -> Result<TargetForm, Failure> {
    match (params.get("difficulty"), params.get("bits")) {
        (Some(d), None) => {
            big_int(Some(d), &format!("{where_}.difficulty")).map(|_| TargetForm::Difficulty)
        }
        (None, Some(b)) => Ok(TargetForm::Bits(count(Some(b), &format!("{where_}.bits"))?)),
        _ => Err(bad_request(format!(
            "{where_} needs exactly one of difficulty, bits"
        ))),
    }
}

pub fn encode_hash(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

fn nibble(b: u8) -> u8 {
    if b.is_ascii_digit() {
        b - b'0'
    } else {
        b - b'a' + 10
    }
}
