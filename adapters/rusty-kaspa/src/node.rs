//! One DAG answered by rusty-kaspa's own consensus code: its GHOSTDAG manager and its
//! reachability over its in-memory stores, wired the way its header processor wires them
//! (genesis under ORIGIN, reachability fed the mergeset without the selected parent, the
//! reindex root hinted when a block becomes the header selected tip).
//!
//! Kaspa has no "validate one header against these parameters" function outside its full
//! pipeline (which also demands timestamps, DAA-correct bits, proof of work and UTXO data), so
//! the rule *order* below is the order of `HeaderProcessor::validate_header` and
//! `post_pow_validation` in kaspa-consensus 0.15.0, with every answer taken from Kaspa's code.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use kaspa_consensus::model::services::reachability::{MTReachabilityService, ReachabilityService};
use kaspa_consensus::model::stores::ghostdag::{
    GhostdagData, GhostdagStore, GhostdagStoreReader, MemoryGhostdagStore,
};
use kaspa_consensus::model::stores::headers::{
    CompactHeaderData, HeaderStoreReader, HeaderWithBlockLevel,
};
use kaspa_consensus::model::stores::reachability::MemoryReachabilityStore;
use kaspa_consensus::model::stores::relations::{
    MemoryRelationsStore, RelationsStore, RelationsStoreReader,
};
use kaspa_consensus::processes::ghostdag::ordering::SortableBlock;
use kaspa_consensus::processes::ghostdag::protocol::GhostdagManager;
use kaspa_consensus::processes::reachability::inquirer;
use kaspa_consensus_core::blockhash::{BlockHashes, ORIGIN};
use kaspa_consensus_core::header::Header;
use kaspa_consensus_core::{BlockHashSet, BlueWorkType};
use kaspa_database::prelude::{DbKey, MemoryWriter, ReadLock, StoreError};
use kaspa_hashes::Hash;
use parking_lot::RwLock;

/// The consensus parameters a case states in its `reset` overrides.
#[derive(Clone, Copy)]
pub struct Params {
    pub k: u16,
    pub max_block_parents: u64,
    pub mergeset_size_limit: u64,
}

/// A header offered to the DAG (what the protocol's `add_block` carries).
pub struct Offered {
    pub hash: Hash,
    pub parents: Vec<Hash>,
    /// Kaspa's compact bits, or `None` when the wire value does not fit Kaspa's `u32`.
    pub bits: Option<u32>,
    pub claimed_blue_score: Option<u64>,
    /// The claimed blue work in canonical `0x…` form.
    pub claimed_blue_work: Option<String>,
}

/// The header store the GHOSTDAG manager reads: it needs only each block's bits.
#[derive(Clone, Default)]
struct BitsStore(Rc<RefCell<HashMap<Hash, u32>>>);

fn missing(hash: Hash) -> StoreError {
    StoreError::KeyNotFound(DbKey::new(b"headers", hash))
}

impl HeaderStoreReader for BitsStore {
    fn get_daa_score(&self, hash: Hash) -> Result<u64, StoreError> {
        Err(missing(hash))
    }
    fn get_blue_score(&self, hash: Hash) -> Result<u64, StoreError> {
        Err(missing(hash))
    }
    fn get_timestamp(&self, hash: Hash) -> Result<u64, StoreError> {
        Err(missing(hash))
    }
    fn get_bits(&self, hash: Hash) -> Result<u32, StoreError> {
        self.0
            .borrow()
            .get(&hash)
            .copied()
            .ok_or_else(|| missing(hash))
    }
    fn get_header(&self, hash: Hash) -> Result<Arc<Header>, StoreError> {
        Err(missing(hash))
    }
    fn get_header_with_block_level(&self, hash: Hash) -> Result<HeaderWithBlockLevel, StoreError> {
        Err(missing(hash))
    }
    fn get_compact_header_data(&self, hash: Hash) -> Result<CompactHeaderData, StoreError> {
        Err(missing(hash))
    }
}

/// Kaspa's in-memory relations store, shared between the manager (reader) and the DAG (writer).
#[derive(Clone, Default)]
struct Relations(Rc<RefCell<MemoryRelationsStore>>);

impl RelationsStoreReader for Relations {
    fn get_parents(&self, hash: Hash) -> Result<BlockHashes, StoreError> {
        self.0.borrow().get_parents(hash)
    }
    fn get_children(&self, hash: Hash) -> Result<ReadLock<BlockHashSet>, StoreError> {
        self.0.borrow().get_children(hash)
    }
    fn has(&self, hash: Hash) -> Result<bool, StoreError> {
        self.0.borrow().has(hash)
    }
    fn counts(&self) -> Result<(usize, usize), StoreError> {
        self.0.borrow().counts()
    }
}

type Reachability = MTReachabilityService<MemoryReachabilityStore>;
type Manager = GhostdagManager<MemoryGhostdagStore, Relations, Reachability, BitsStore>;

/// Why a header is refused: the protocol's rejection code.
pub type Rejection = &'static str;

pub struct Dag {
    params: Params,
    genesis: Hash,
    ghostdag_store: Arc<MemoryGhostdagStore>,
    relations: Relations,
    reachability_store: Arc<RwLock<MemoryReachabilityStore>>,
    reachability: Reachability,
    bits: BitsStore,
    manager: Manager,
    tips: HashSet<Hash>,
    /// Kaspa's header selected tip: the block with the highest (blue work, hash).
    selected_tip: SortableBlock,
}

impl Dag {
    /// A DAG holding only genesis, committed as Kaspa's header processor commits it.
    pub fn new(params: Params, genesis: Hash, genesis_bits: u32) -> Self {
        let ghostdag_store = Arc::new(MemoryGhostdagStore::new());
        let relations = Relations::default();
        let reachability_store = Arc::new(RwLock::new(MemoryReachabilityStore::new()));
        let reachability = MTReachabilityService::new(reachability_store.clone());
        let bits = BitsStore::default();
        let manager = GhostdagManager::new(
            genesis,
            params.k,
            ghostdag_store.clone(),
            relations.clone(),
            Arc::new(bits.clone()),
            // The service is a handle on the shared store (it is not Clone for a memory store).
            MTReachabilityService::new(reachability_store.clone()),
        );
        let mut dag = Self {
            params,
            genesis,
            ghostdag_store,
            relations,
            reachability_store,
            reachability,
            bits,
            manager,
            tips: HashSet::new(),
            selected_tip: SortableBlock::new(ORIGIN, 0u64.into()),
        };
        inquirer::init(&mut *dag.reachability_store.write()).expect("reachability init");
        dag.relations
            .0
            .borrow_mut()
            .set_parents(MemoryWriter, ORIGIN, BlockHashes::new(vec![]))
            .expect("origin");
        let data = dag.manager.genesis_ghostdag_data();
        dag.commit(genesis, vec![ORIGIN], genesis_bits, data);
        dag
    }

    pub fn has(&self, hash: Hash) -> bool {
        self.ghostdag_store.has(hash).unwrap_or(false)
    }

    /// The genesis block's answers use `null` for Kaspa's ORIGIN selected parent.
    pub fn genesis(&self) -> Hash {
        self.genesis
    }

    pub fn ghostdag_data(&self, hash: Hash) -> Option<Arc<GhostdagData>> {
        self.ghostdag_store.get_data(hash).ok()
    }

    pub fn is_dag_ancestor(&self, ancestor: Hash, descendant: Hash) -> bool {
        self.reachability.is_dag_ancestor_of(ancestor, descendant)
    }

    pub fn is_chain_ancestor(&self, ancestor: Hash, descendant: Hash) -> bool {
        self.reachability.is_chain_ancestor_of(ancestor, descendant)
    }

    /// Validate and, when every rule passes, commit a header; a refused header changes nothing.
    pub fn add_block(&mut self, block: Offered) -> Result<(), Rejection> {
        // Kaspa's block processor answers a known hash with its stored status; the spec rejects.
        if self.has(block.hash) {
            return Err("DUPLICATE_BLOCK");
        }
        // validate_header_in_isolation: check_parents_limit.
        if block.parents.is_empty() {
            return Err("NO_PARENTS");
        }
        if block.parents.len() as u64 > self.params.max_block_parents {
            return Err("TOO_MANY_PARENTS");
        }
        // check_pow_and_calc_block_level: a header whose bits decode to no target (Kaspa's
        // zero) can never satisfy proof of work, and this is where Kaspa refuses it.
        let bits = match block.bits {
            Some(bits) if !kaspa_math::Uint256::from_compact_target_bits(bits).is_zero() => bits,
            _ => return Err("INVALID_DIFFICULTY"),
        };
        // validate_parent_relations: check_parents_exist, then check_parents_incest (which
        // skips equal hashes, so a repeated parent is not refused by this rule).
        if block.parents.iter().any(|p| !self.has(*p)) {
            return Err("UNKNOWN_PARENT");
        }
        for a in &block.parents {
            for b in &block.parents {
                if a != b && self.reachability.is_dag_ancestor_of(*a, *b) {
                    return Err("PARENTS_NOT_ANTICHAIN");
                }
            }
        }
        let data = self.manager.ghostdag(&block.parents);
        // post_pow_validation: check_blue_score, check_blue_work, then check_merge_size_limit.
        if block
            .claimed_blue_score
            .is_some_and(|claim| claim != data.blue_score)
        {
            return Err("BAD_BLUE_SCORE");
        }
        if block
            .claimed_blue_work
            .as_ref()
            .is_some_and(|claim| *claim != format!("{:#x}", data.blue_work))
        {
            return Err("BAD_BLUE_WORK");
        }
        if data.mergeset_size() as u64 > self.params.mergeset_size_limit {
            return Err("MERGESET_TOO_BIG");
        }
        self.commit(block.hash, block.parents, bits, data);
        Ok(())
    }

    fn commit(&mut self, hash: Hash, parents: Vec<Hash>, bits: u32, data: GhostdagData) {
        let selected_parent = data.selected_parent;
        let mergeset: Vec<Hash> = data.unordered_mergeset_without_selected_parent().collect();
        let key = SortableBlock::new(hash, data.blue_work);
        self.bits.0.borrow_mut().insert(hash, bits);
        self.ghostdag_store
            .insert(hash, Arc::new(data))
            .expect("new block");
        {
            let mut store = self.reachability_store.write();
            inquirer::add_block(
                &mut *store,
                hash,
                selected_parent,
                &mut mergeset.into_iter(),
            )
            .expect("reachability add");
            if key > self.selected_tip {
                inquirer::hint_virtual_selected_parent(&mut *store, hash)
                    .expect("reachability hint");
            }
        }
        if key > self.selected_tip {
            self.selected_tip = key;
        }
        for parent in &parents {
            self.tips.remove(parent);
        }
        self.tips.insert(hash);
        self.relations
            .0
            .borrow_mut()
            .set_parents(MemoryWriter, hash, BlockHashes::new(parents))
            .expect("relations");
    }

    /// The virtual's parents: the sink, then the other tips in descending (blue work, hash)
    /// while the parent count and the mergeset limit allow (the specification's deterministic
    /// rule; Kaspa's own choice lives in its virtual processor), and Kaspa's GHOSTDAG over them.
    pub fn virtual_state(&self) -> (Vec<Hash>, GhostdagData) {
        let mut tips: Vec<SortableBlock> = self
            .tips
            .iter()
            .map(|&hash| {
                SortableBlock::new(hash, self.ghostdag_store.get_blue_work(hash).expect("tip"))
            })
            .collect();
        tips.sort_by(|a, b| b.cmp(a));
        let mut parents = vec![tips[0].hash];
        let mut data = self.manager.ghostdag(&parents);
        for tip in &tips[1..] {
            if parents.len() as u64 >= self.params.max_block_parents {
                break;
            }
            parents.push(tip.hash);
            let candidate = self.manager.ghostdag(&parents);
            if candidate.mergeset_size() as u64 <= self.params.mergeset_size_limit {
                data = candidate;
            } else {
                parents.pop();
            }
        }
        (parents, data)
    }
}

/// Blue work in the protocol's canonical form.
pub fn encode_work(work: BlueWorkType) -> String {
    format!("{work:#x}")
}
