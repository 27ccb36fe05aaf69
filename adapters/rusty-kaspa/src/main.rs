//! dagspec adapter (protocol v1) answered by rusty-kaspa's published consensus crates.
//!
//! Reads one JSON request per line on stdin and writes one reply per line on stdout
//! (spec/adapter.md). Capabilities: `bits`, `reachability`, `ghostdag`, `validation`,
//! `virtual`. Kaspa's headers carry compact bits only, so the difficulty form of a target
//! (capability `work`/`difficulty`) is answered `UNSUPPORTED`.

mod node;
mod wire;

use std::io::{BufRead, BufWriter, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use kaspa_consensus::processes::difficulty::calc_work;
use kaspa_hashes::Hash;
use kaspa_math::Uint256;
use serde_json::{json, Map, Value};

use node::{encode_work, Dag, Offered, Params};
use wire::{bad_request, check_keys, Failure, TargetForm};

const CAPABILITIES: [&str; 5] = ["bits", "reachability", "ghostdag", "validation", "virtual"];
const PROTOCOL_METHODS: [&str; 15] = [
    "hello",
    "reset",
    "add_block",
    "ghostdag",
    "is_dag_ancestor",
    "is_chain_ancestor",
    "virtual",
    "work",
    "relay_siphash",
    "relay_short_ids",
    "relay_encode_indexes",
    "relay_decode_indexes",
    "relay_decode_block",
    "relay_encode_block",
    "relay_fill_block",
];

struct Adapter {
    dag: Option<Dag>,
}

fn unsupported_difficulty() -> Failure {
    Failure::new(
        "UNSUPPORTED",
        "Kaspa's headers carry compact bits; the difficulty form is not supported",
    )
}

fn kaspa_hash(bytes: [u8; 32]) -> Hash {
    Hash::from_bytes(bytes)
}

fn wire_hash(hash: Hash) -> String {
    wire::encode_hash(&hash.as_bytes())
}

impl Adapter {
    fn handle(&mut self, method: &str, params: &Map<String, Value>) -> Result<Value, Failure> {
        match method {
            "hello" => {
                check_keys(params, "params", &[], &[])?;
                Ok(json!({
                    "name": "rusty-kaspa",
                    "version": "kaspa-consensus 0.15.0",
                    "protocol": 1,
                    "capabilities": CAPABILITIES,
                }))
            }
            "reset" => self.reset(params),
            "add_block" => self.add_block(params),
            "ghostdag" => self.ghostdag(params),
            "is_dag_ancestor" | "is_chain_ancestor" => self.ancestry(method, params),
            "virtual" => self.virtual_block(params),
            "work" => work(params),
            _ if PROTOCOL_METHODS.contains(&method) => Err(Failure::new(
                "UNSUPPORTED",
                format!("{method} is not supported"),
            )),
            _ => Err(Failure::new(
                "UNKNOWN_METHOD",
                format!("unknown method {method}"),
            )),
        }
    }

    fn dag(&self) -> Result<&Dag, Failure> {
        self.dag
            .as_ref()
            .ok_or_else(|| bad_request("no DAG: send reset first"))
    }

    fn known(&self, value: Option<&Value>, where_: &str) -> Result<Hash, Failure> {
        let hash = kaspa_hash(wire::hash(value, where_)?);
        if self.dag()?.has(hash) {
            Ok(hash)
        } else {
            Err(Failure::new(
                "UNKNOWN_BLOCK",
                format!("unknown block {}", wire_hash(hash)),
            ))
        }
    }

    fn reset(&mut self, params: &Map<String, Value>) -> Result<Value, Failure> {
        check_keys(params, "params", &["preset", "overrides", "genesis"], &[])?;
        if !params["preset"].is_string() {
            return Err(bad_request("params.preset must be a string"));
        }
        let overrides = wire::object(params.get("overrides"), "params.overrides")?;
        for (name, value) in overrides {
            if !value.is_null() && !(value.is_i64() || value.is_u64()) {
                return Err(bad_request(format!(
                    "params.overrides.{name} must be an integer or null"
                )));
            }
        }
        let genesis = wire::object(params.get("genesis"), "params.genesis")?;
        check_keys(
            genesis,
            "params.genesis",
            &["hash"],
            &["difficulty", "bits"],
        )?;
        let genesis_hash = kaspa_hash(wire::hash(genesis.get("hash"), "params.genesis.hash")?);
        let form = wire::target_form(genesis, "params.genesis")?;
        let params = overridden(overrides)?;
        let bits = match form {
            TargetForm::Difficulty => return Err(unsupported_difficulty()),
            TargetForm::Bits(bits) => match u32::try_from(bits) {
                Ok(bits) if !Uint256::from_compact_target_bits(bits).is_zero() => bits,
                _ => {
                    return Err(Failure::new(
                        "INVALID_DIFFICULTY",
                        "genesis bits name no target",
                    ))
                }
            },
        };
        self.dag = Some(Dag::new(params, genesis_hash, bits));
        Ok(json!({}))
    }

    fn add_block(&mut self, params: &Map<String, Value>) -> Result<Value, Failure> {
        check_keys(
            params,
            "params",
            &["hash", "parents"],
            &["difficulty", "bits", "claims"],
        )?;
        let hash = kaspa_hash(wire::hash(params.get("hash"), "params.hash")?);
        let parents: Vec<Hash> = wire::hash_list(params.get("parents"), "params.parents")?
            .into_iter()
            .map(kaspa_hash)
            .collect();
        let form = wire::target_form(params, "params")?;
        let mut claimed_blue_score = None;
        let mut claimed_blue_work = None;
        if let Some(claims) = params.get("claims") {
            let claims = wire::object(Some(claims), "params.claims")?;
            check_keys(claims, "params.claims", &[], &["blue_score", "blue_work"])?;
            if claims.contains_key("blue_score") {
                claimed_blue_score = Some(wire::count(
                    claims.get("blue_score"),
                    "params.claims.blue_score",
                )?);
            }
            if claims.contains_key("blue_work") {
                claimed_blue_work = Some(wire::big_int(
                    claims.get("blue_work"),
                    "params.claims.blue_work",
                )?);
            }
        }
        let bits = match form {
            TargetForm::Difficulty => return Err(unsupported_difficulty()),
            TargetForm::Bits(bits) => u32::try_from(bits).ok(),
        };
        let dag = self
            .dag
            .as_mut()
            .ok_or_else(|| bad_request("no DAG: send reset first"))?;
        let offered = Offered {
            hash,
            parents,
            bits,
            claimed_blue_score,
            claimed_blue_work,
        };
        Ok(match dag.add_block(offered) {
            Ok(()) => json!({"status": "accepted"}),
            Err(code) => json!({"status": "rejected", "error": code}),
        })
    }

    fn ghostdag(&self, params: &Map<String, Value>) -> Result<Value, Failure> {
        check_keys(params, "params", &["hash"], &[])?;
        wire::hash(params.get("hash"), "params.hash")?;
        let hash = self.known(params.get("hash"), "params.hash")?;
        let dag = self.dag()?;
        let data = dag.ghostdag_data(hash).expect("known block");
        let selected_parent = if hash == dag.genesis() {
            Value::Null
        } else {
            json!(wire_hash(data.selected_parent))
        };
        let sizes: Map<String, Value> = data
            .blues_anticone_sizes
            .iter()
            .map(|(block, size)| (wire_hash(*block), json!(size)))
            .collect();
        Ok(json!({
            "selected_parent": selected_parent,
            "mergeset_blues": data.mergeset_blues.iter().map(|h| wire_hash(*h)).collect::<Vec<_>>(),
            "mergeset_reds": data.mergeset_reds.iter().map(|h| wire_hash(*h)).collect::<Vec<_>>(),
            "blue_score": data.blue_score,
            "blue_work": encode_work(data.blue_work),
            "blues_anticone_sizes": sizes,
        }))
    }

    fn ancestry(&self, method: &str, params: &Map<String, Value>) -> Result<Value, Failure> {
        check_keys(params, "params", &["ancestor", "descendant"], &[])?;
        wire::hash(params.get("ancestor"), "params.ancestor")?;
        wire::hash(params.get("descendant"), "params.descendant")?;
        let ancestor = self.known(params.get("ancestor"), "params.ancestor")?;
        let descendant = self.known(params.get("descendant"), "params.descendant")?;
        let dag = self.dag()?;
        Ok(json!(if method == "is_dag_ancestor" {
            dag.is_dag_ancestor(ancestor, descendant)
        } else {
            dag.is_chain_ancestor(ancestor, descendant)
        }))
    }

    fn virtual_block(&self, params: &Map<String, Value>) -> Result<Value, Failure> {
        check_keys(params, "params", &[], &[])?;
        let (parents, data) = self.dag()?.virtual_state();
        Ok(json!({
            "parents": parents.iter().map(|h| wire_hash(*h)).collect::<Vec<_>>(),
            "selected_parent": wire_hash(data.selected_parent),
            "blue_score": data.blue_score,
            "blue_work": encode_work(data.blue_work),
            "mergeset_blues": data.mergeset_blues.iter().map(|h| wire_hash(*h)).collect::<Vec<_>>(),
            "mergeset_reds": data.mergeset_reds.iter().map(|h| wire_hash(*h)).collect::<Vec<_>>(),
        }))
    }
}

/// The parameters of a case: `k`, `max_block_parents` and `mergeset_size_limit` must be stated;
/// parameters Kaspa's GHOSTDAG and reachability do not take are ignored (spec/adapter.md).
fn overridden(overrides: &Map<String, Value>) -> Result<Params, Failure> {
    let get = |name: &str| -> Result<u64, Failure> {
        match overrides.get(name) {
            Some(value) => value.as_u64().ok_or_else(|| {
                Failure::new(
                    "BAD_PARAMETER",
                    format!("{name} must be a non-negative integer"),
                )
            }),
            None => Err(Failure::new(
                "BAD_PARAMETER",
                format!("this adapter needs the override {name}"),
            )),
        }
    };
    let k = get("k")?;
    let max_block_parents = get("max_block_parents")?;
    let mergeset_size_limit = get("mergeset_size_limit")?;
    // Kaspa's K is a u16 (KType); the other checks are the specification's parameter ranges.
    let k = u16::try_from(k)
        .map_err(|_| Failure::new("BAD_PARAMETER", "k exceeds Kaspa's KType (u16)"))?;
    if max_block_parents < 1 {
        return Err(Failure::new(
            "BAD_PARAMETER",
            "max_block_parents must be >= 1",
        ));
    }
    if mergeset_size_limit <= u64::from(k) {
        return Err(Failure::new(
            "BAD_PARAMETER",
            "mergeset_size_limit must exceed k",
        ));
    }
    Ok(Params {
        k,
        max_block_parents,
        mergeset_size_limit,
    })
}

/// `work` with `bits`: Kaspa's compact decoding and Kaspa's `calc_work`.
fn work(params: &Map<String, Value>) -> Result<Value, Failure> {
    check_keys(params, "params", &[], &["difficulty", "bits"])?;
    let bits = match wire::target_form(params, "params")? {
        TargetForm::Difficulty => return Err(unsupported_difficulty()),
        TargetForm::Bits(bits) => u32::try_from(bits)
            .map_err(|_| Failure::new("INVALID_DIFFICULTY", "bits exceed u32"))?,
    };
    let target = Uint256::from_compact_target_bits(bits);
    if target.is_zero() {
        return Err(Failure::new(
            "INVALID_DIFFICULTY",
            "bits decode to a zero target",
        ));
    }
    let work = catch_unwind(AssertUnwindSafe(|| calc_work(bits))).map_err(|_| {
        Failure::new(
            "INTERNAL_ERROR",
            "kaspa calc_work panicked (work does not fit Kaspa's 192-bit blue work)",
        )
    })?;
    Ok(json!({"target": format!("{target:#x}"), "work": encode_work(work)}))
}

fn reply(line: &[u8], adapter: &mut Adapter) -> Value {
    match wire::parse_request(line) {
        Err((id, failure)) => {
            json!({"id": id, "error": {"code": failure.code, "message": failure.message}})
        }
        Ok((id, method, params)) => {
            match catch_unwind(AssertUnwindSafe(|| adapter.handle(&method, &params))) {
                Ok(Ok(result)) => json!({"id": id, "result": result}),
                Ok(Err(failure)) => {
                    json!({"id": id, "error": {"code": failure.code, "message": failure.message}})
                }
                Err(_) => {
                    json!({"id": id, "error": {"code": "INTERNAL_ERROR", "message": "kaspa code panicked"}})
                }
            }
        }
    }
}

fn main() {
    // Kaspa's panics are answered INTERNAL_ERROR; keep their messages on stderr only.
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut output = BufWriter::new(std::io::stdout().lock());
    let mut adapter = Adapter { dag: None };
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        let answer = reply(&line, &mut adapter);
        serde_json::to_writer(&mut output, &answer).expect("stdout");
        output
            .write_all(b"\n")
            .and_then(|()| output.flush())
            .expect("stdout");
    }
}
