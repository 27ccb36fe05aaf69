package main

// One DAG answered by kaspad's own consensus code: its GHOSTDAG manager, DAG topology manager
// and reachability manager over its own stores (block headers, relations, GHOSTDAG data,
// reachability data) on a LevelDB in a temporary folder, wired as kaspad's consensus wires
// them: a virtual genesis under genesis, one staging area per block committed only when every
// rule passed (so a refused header changes nothing), the reindex root moved when a block
// becomes the header selected tip.
//
// kaspad has no "validate one header against these parameters" entry point outside its full
// block processor (which also demands timestamps, DAA-correct bits, proof of work, pruning
// points and UTXO data), so the rule order below is the order of kaspad v0.12.23's
// ValidateHeaderInIsolation, ValidatePruningPointViolationAndProofOfWorkAndDifficulty and
// ValidateHeaderInContext, with every answer taken from kaspad's code.

import (
	"math/big"
	"os"
	"sort"

	"github.com/kaspanet/kaspad/domain/consensus/database"
	"github.com/kaspanet/kaspad/domain/consensus/datastructures/blockheaderstore"
	"github.com/kaspanet/kaspad/domain/consensus/datastructures/blockrelationstore"
	"github.com/kaspanet/kaspad/domain/consensus/datastructures/ghostdagdatastore"
	"github.com/kaspanet/kaspad/domain/consensus/datastructures/reachabilitydatastore"
	"github.com/kaspanet/kaspad/domain/consensus/model"
	"github.com/kaspanet/kaspad/domain/consensus/model/externalapi"
	"github.com/kaspanet/kaspad/domain/consensus/processes/dagtopologymanager"
	"github.com/kaspanet/kaspad/domain/consensus/processes/ghostdagmanager"
	"github.com/kaspanet/kaspad/domain/consensus/processes/reachabilitymanager"
	"github.com/kaspanet/kaspad/domain/consensus/utils/blockheader"
	"github.com/kaspanet/kaspad/infrastructure/db/database/ldb"
	"github.com/kaspanet/kaspad/util/difficulty"
	"github.com/kaspanet/kaspad/util/staging"
)

type params struct {
	k                 externalapi.KType
	maxBlockParents   uint64
	mergesetSizeLimit uint64
}

// offered is a header offered to the DAG (what the protocol's add_block carries).
type offered struct {
	hash             *externalapi.DomainHash
	parents          []*externalapi.DomainHash
	bits             uint64
	claimedBlueScore *uint64
	claimedBlueWork  string
	claimsBlueWork   bool
}

var maxTarget = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

type dag struct {
	params      params
	genesis     *externalapi.DomainHash
	folder      string
	leveldb     *ldb.LevelDB
	db          model.DBManager
	headers     model.BlockHeaderStore
	ghostdag    model.GHOSTDAGDataStore
	reach       model.ReachabilityManager
	topology    model.DAGTopologyManager
	manager     model.GHOSTDAGManager
	tips        map[externalapi.DomainHash]*externalapi.DomainHash
	selectedTip *externalapi.DomainHash
}

func header(bits uint32, parents []*externalapi.DomainHash) externalapi.BlockHeader {
	zero := externalapi.NewZeroHash()
	return blockheader.NewImmutableBlockHeader(0, []externalapi.BlockLevelParents{parents}, zero, zero, zero,
		0, bits, 0, 0, 0, big.NewInt(0), zero)
}

// newDAG makes a DAG holding only genesis, committed the way kaspad's consensus Init does.
func newDAG(p params, genesis *externalapi.DomainHash, genesisBits uint32) (*dag, error) {
	folder, err := os.MkdirTemp("", "dagspec-kaspad-")
	if err != nil {
		return nil, err
	}
	leveldb, err := ldb.NewLevelDB(folder, 8)
	if err != nil {
		os.RemoveAll(folder)
		return nil, err
	}
	db := database.New(leveldb)
	prefix := database.MakeBucket(nil)
	headers, err := blockheaderstore.New(db, prefix, 1000, false)
	if err != nil {
		return nil, err
	}
	relations := blockrelationstore.New(prefix, 1000, false)
	ghostdagStore := ghostdagdatastore.New(prefix, 1000, false)
	reachabilityStore := reachabilitydatastore.New(prefix, 1000, false)
	reach := reachabilitymanager.New(db, ghostdagStore, reachabilityStore)
	topology := dagtopologymanager.New(db, reach, relations, ghostdagStore)
	manager := ghostdagmanager.New(db, topology, ghostdagStore, headers, p.k, genesis)
	d := &dag{params: p, genesis: genesis, folder: folder, leveldb: leveldb, db: db, headers: headers,
		ghostdag: ghostdagStore, reach: reach, topology: topology, manager: manager,
		tips: map[externalapi.DomainHash]*externalapi.DomainHash{}, selectedTip: model.VirtualGenesisBlockHash}

	area := model.NewStagingArea()
	if err := reach.Init(area); err != nil {
		return nil, err
	}
	if err := topology.SetParents(area, model.VirtualGenesisBlockHash, nil); err != nil {
		return nil, err
	}
	ghostdagStore.Stage(area, model.VirtualGenesisBlockHash,
		externalapi.NewBlockGHOSTDAGData(0, big.NewInt(0), nil, nil, nil, nil), false)
	if err := staging.CommitAllChanges(db, area); err != nil {
		return nil, err
	}
	area = model.NewStagingArea()
	headers.Stage(area, genesis, header(genesisBits, nil))
	if err := topology.SetParents(area, genesis, []*externalapi.DomainHash{model.VirtualGenesisBlockHash}); err != nil {
		return nil, err
	}
	ghostdagStore.Stage(area, genesis, externalapi.NewBlockGHOSTDAGData(0, big.NewInt(0),
		model.VirtualGenesisBlockHash, nil, nil, map[externalapi.DomainHash]externalapi.KType{}), false)
	if err := d.commit(area, genesis, nil); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *dag) close() {
	d.leveldb.Close()
	os.RemoveAll(d.folder)
}

func (d *dag) has(hash *externalapi.DomainHash) bool {
	ok, err := d.headers.HasBlockHeader(d.db, model.NewStagingArea(), hash)
	return err == nil && ok
}

func (d *dag) data(hash *externalapi.DomainHash) (*externalapi.BlockGHOSTDAGData, error) {
	return d.ghostdag.Get(d.db, model.NewStagingArea(), hash, false)
}

// targetOK is kaspad's checkProofOfWork bound: a target above zero and not above the maximum
// (the vectors name no network, so the maximum is the largest 256-bit value).
func targetOK(bits uint64) bool {
	if bits > 0xffffffff {
		return false
	}
	target := difficulty.CompactToBig(uint32(bits))
	return target.Sign() > 0 && target.Cmp(maxTarget) <= 0
}

// addBlock validates a header and commits it when every rule passes; the result is "" when
// accepted, else the rejection code.
func (d *dag) addBlock(block offered) (string, error) {
	if d.has(block.hash) {
		return "DUPLICATE_BLOCK", nil
	}
	// ValidateHeaderInIsolation: checkParentsLimit.
	if len(block.parents) == 0 {
		return "NO_PARENTS", nil
	}
	if uint64(len(block.parents)) > d.params.maxBlockParents {
		return "TOO_MANY_PARENTS", nil
	}
	// ValidatePruningPointViolationAndProofOfWorkAndDifficulty: checkParentHeadersExist, then
	// setParents and checkParentsIncest (which skips equal hashes), then checkProofOfWork.
	for _, parent := range block.parents {
		if !d.has(parent) {
			return "UNKNOWN_PARENT", nil
		}
	}
	area := model.NewStagingArea()
	if err := d.topology.SetParents(area, block.hash, block.parents); err != nil {
		return "", err
	}
	for _, a := range block.parents {
		for _, b := range block.parents {
			if a.Equal(b) {
				continue
			}
			isAncestor, err := d.topology.IsAncestorOf(area, a, b)
			if err != nil {
				return "", err
			}
			if isAncestor {
				return "PARENTS_NOT_ANTICHAIN", nil
			}
		}
	}
	if !targetOK(block.bits) {
		return "INVALID_DIFFICULTY", nil
	}
	d.headers.Stage(area, block.hash, header(uint32(block.bits), block.parents))
	// validateDifficulty runs GHOSTDAG; ValidateHeaderInContext then checks the merge set
	// size limit, the blue work, and the blue score (whose mismatch kaspad reports with
	// ErrUnexpectedBlueWork, the blue work's error).
	if err := d.manager.GHOSTDAG(area, block.hash); err != nil {
		return "", err
	}
	data, err := d.ghostdag.Get(d.db, area, block.hash, false)
	if err != nil {
		return "", err
	}
	if uint64(len(data.MergeSetBlues())+len(data.MergeSetReds())) > d.params.mergesetSizeLimit {
		return "MERGESET_TOO_BIG", nil
	}
	if block.claimsBlueWork && block.claimedBlueWork != encodeWork(data.BlueWork()) {
		return "BAD_BLUE_WORK", nil
	}
	if block.claimedBlueScore != nil && *block.claimedBlueScore != data.BlueScore() {
		return "BAD_BLUE_WORK", nil
	}
	return "", d.commit(area, block.hash, block.parents)
}

// commit adds the staged block to reachability, moves the reindex root when the block is the
// new header selected tip, and writes the staging area.
func (d *dag) commit(area *model.StagingArea, hash *externalapi.DomainHash, parents []*externalapi.DomainHash) error {
	if err := d.reach.AddBlock(area, hash); err != nil {
		return err
	}
	newTip, err := d.manager.ChooseSelectedParent(area, d.selectedTip, hash)
	if err != nil {
		return err
	}
	if newTip.Equal(hash) {
		if err := d.reach.UpdateReindexRoot(area, hash); err != nil {
			return err
		}
		d.selectedTip = hash
	}
	if err := staging.CommitAllChanges(d.db, area); err != nil {
		return err
	}
	for _, parent := range parents {
		delete(d.tips, *parent)
	}
	d.tips[*hash] = hash
	return nil
}

func (d *dag) isDAGAncestor(a, b *externalapi.DomainHash) (bool, error) {
	return d.reach.IsDAGAncestorOf(model.NewStagingArea(), a, b)
}

func (d *dag) isChainAncestor(a, b *externalapi.DomainHash) (bool, error) {
	return d.reach.IsReachabilityTreeAncestorOf(model.NewStagingArea(), a, b)
}

// virtualGHOSTDAG is kaspad's GHOSTDAG of the virtual block over the given parents, in a
// staging area that is never committed.
func (d *dag) virtualGHOSTDAG(parents []*externalapi.DomainHash) (*externalapi.BlockGHOSTDAGData, error) {
	area := model.NewStagingArea()
	if err := d.topology.SetParents(area, model.VirtualBlockHash, parents); err != nil {
		return nil, err
	}
	if err := d.manager.GHOSTDAG(area, model.VirtualBlockHash); err != nil {
		return nil, err
	}
	return d.ghostdag.Get(d.db, area, model.VirtualBlockHash, false)
}

// virtual picks the sink, then the other tips in descending (blue work, hash) while the parent
// count and the merge set limit allow (the specification's deterministic rule; kaspad's own
// choice lives in its consensus state manager), and returns kaspad's GHOSTDAG over them.
func (d *dag) virtual() ([]*externalapi.DomainHash, *externalapi.BlockGHOSTDAGData, error) {
	tips := make([]*externalapi.DomainHash, 0, len(d.tips))
	tipData := map[externalapi.DomainHash]*externalapi.BlockGHOSTDAGData{}
	for _, tip := range d.tips {
		data, err := d.data(tip)
		if err != nil {
			return nil, nil, err
		}
		tips = append(tips, tip)
		tipData[*tip] = data
	}
	sort.Slice(tips, func(i, j int) bool {
		// kaspad's Less orders by (blue work, hash); descending here.
		return d.manager.Less(tips[j], tipData[*tips[j]], tips[i], tipData[*tips[i]])
	})
	parents := []*externalapi.DomainHash{tips[0]}
	data, err := d.virtualGHOSTDAG(parents)
	if err != nil {
		return nil, nil, err
	}
	for _, tip := range tips[1:] {
		if uint64(len(parents)) >= d.params.maxBlockParents {
			break
		}
		candidate, err := d.virtualGHOSTDAG(append(append([]*externalapi.DomainHash{}, parents...), tip))
		if err != nil {
			return nil, nil, err
		}
		if uint64(len(candidate.MergeSetBlues())+len(candidate.MergeSetReds())) <= d.params.mergesetSizeLimit {
			parents = append(parents, tip)
			data = candidate
		}
	}
	return parents, data, nil
}

// encodeWork is blue work in the protocol's canonical form.
func encodeWork(work *big.Int) string {
	return "0x" + work.Text(16)
}
