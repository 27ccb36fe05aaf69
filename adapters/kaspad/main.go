// Command dagspec-adapter-kaspad is a dagspec conformance adapter (protocol v1) answered by
// kaspad's domain/consensus packages.
//
// It reads one JSON request per line on stdin and writes one reply per line on stdout
// (spec/adapter.md). Capabilities: bits, reachability, ghostdag, validation, virtual. kaspad's
// headers carry compact bits only, so the difficulty form of a target is answered UNSUPPORTED.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/kaspanet/kaspad/domain/consensus/model/externalapi"
	"github.com/kaspanet/kaspad/util/difficulty"
)

const kaspadVersion = "v0.12.23"

var capabilities = []string{"bits", "reachability", "ghostdag", "validation", "virtual"}

var protocolMethods = []string{"hello", "reset", "add_block", "ghostdag", "is_dag_ancestor",
	"is_chain_ancestor", "virtual", "work", "relay_siphash", "relay_short_ids",
	"relay_encode_indexes", "relay_decode_indexes", "relay_decode_block", "relay_encode_block",
	"relay_fill_block"}

type adapter struct {
	dag *dag
}

func unsupportedDifficulty() *failure {
	return fail("UNSUPPORTED", "kaspad's headers carry compact bits; the difficulty form is not supported")
}

func domainHash(b [32]byte) *externalapi.DomainHash {
	return externalapi.NewDomainHashFromByteArray(&b)
}

func hashes(list []*externalapi.DomainHash) []string {
	out := make([]string, 0, len(list))
	for _, h := range list {
		out = append(out, wireHash(h.ByteSlice()))
	}
	return out
}

func internal(err error) *failure {
	return fail("INTERNAL_ERROR", "kaspad: %v", err)
}

func (a *adapter) handle(method string, params object) (any, *failure) {
	switch method {
	case "hello":
		if f := checkKeys(params, "params", nil, nil); f != nil {
			return nil, f
		}
		return object{"name": "kaspad", "version": "kaspad " + kaspadVersion, "protocol": 1,
			"capabilities": capabilities}, nil
	case "reset":
		return a.reset(params)
	case "add_block":
		return a.addBlock(params)
	case "ghostdag":
		return a.ghostdagOf(params)
	case "is_dag_ancestor", "is_chain_ancestor":
		return a.ancestry(method, params)
	case "virtual":
		return a.virtualBlock(params)
	case "work":
		return work(params)
	}
	if contains(protocolMethods, method) {
		return nil, fail("UNSUPPORTED", "%s is not supported", method)
	}
	return nil, fail("UNKNOWN_METHOD", "unknown method %s", method)
}

func (a *adapter) known(value any, where string) (*externalapi.DomainHash, *failure) {
	raw, f := hash32(value, where)
	if f != nil {
		return nil, f
	}
	if a.dag == nil {
		return nil, badRequest("no DAG: send reset first")
	}
	hash := domainHash(raw)
	if !a.dag.has(hash) {
		return nil, fail("UNKNOWN_BLOCK", "unknown block %s", wireHash(raw[:]))
	}
	return hash, nil
}

func overridden(overrides object) (params, *failure) {
	get := func(name string) (uint64, *failure) {
		value, ok := overrides[name]
		if !ok {
			return 0, fail("BAD_PARAMETER", "this adapter needs the override %s", name)
		}
		n, f := count(value, name)
		if f != nil {
			return 0, fail("BAD_PARAMETER", "%s must be a non-negative integer", name)
		}
		return n, nil
	}
	k, f := get("k")
	if f != nil {
		return params{}, f
	}
	parents, f := get("max_block_parents")
	if f != nil {
		return params{}, f
	}
	limit, f := get("mergeset_size_limit")
	if f != nil {
		return params{}, f
	}
	// kaspad's K is a uint16 (externalapi.KType); the other checks are the specification's.
	if k > 0xffff {
		return params{}, fail("BAD_PARAMETER", "k exceeds kaspad's KType (uint16)")
	}
	if parents < 1 {
		return params{}, fail("BAD_PARAMETER", "max_block_parents must be >= 1")
	}
	if limit <= k {
		return params{}, fail("BAD_PARAMETER", "mergeset_size_limit must exceed k")
	}
	return params{k: externalapi.KType(k), maxBlockParents: parents, mergesetSizeLimit: limit}, nil
}

func (a *adapter) reset(p object) (any, *failure) {
	if f := checkKeys(p, "params", []string{"preset", "overrides", "genesis"}, nil); f != nil {
		return nil, f
	}
	if _, ok := p["preset"].(string); !ok {
		return nil, badRequest("params.preset must be a string")
	}
	overrides, f := asObject(p["overrides"], "params.overrides")
	if f != nil {
		return nil, f
	}
	for name, value := range overrides {
		if number, ok := value.(json.Number); value != nil && (!ok || !isInteger(string(number))) {
			return nil, badRequest("params.overrides.%s must be an integer or null", name)
		}
	}
	genesis, f := asObject(p["genesis"], "params.genesis")
	if f != nil {
		return nil, f
	}
	if f := checkKeys(genesis, "params.genesis", []string{"hash"}, []string{"difficulty", "bits"}); f != nil {
		return nil, f
	}
	raw, f := hash32(genesis["hash"], "params.genesis.hash")
	if f != nil {
		return nil, f
	}
	isBits, bits, f := targetForm(genesis, "params.genesis")
	if f != nil {
		return nil, f
	}
	consensus, f := overridden(overrides)
	if f != nil {
		return nil, f
	}
	if !isBits {
		return nil, unsupportedDifficulty()
	}
	if !targetOK(bits) {
		return nil, fail("INVALID_DIFFICULTY", "genesis bits name no target")
	}
	if a.dag != nil {
		a.dag.close()
		a.dag = nil
	}
	d, err := newDAG(consensus, domainHash(raw), uint32(bits))
	if err != nil {
		return nil, internal(err)
	}
	a.dag = d
	return object{}, nil
}

func isInteger(text string) bool {
	if len(text) > 0 && text[0] == '-' {
		text = text[1:]
	}
	return countPattern.MatchString(text)
}

func (a *adapter) addBlock(p object) (any, *failure) {
	if f := checkKeys(p, "params", []string{"hash", "parents"}, []string{"difficulty", "bits", "claims"}); f != nil {
		return nil, f
	}
	raw, f := hash32(p["hash"], "params.hash")
	if f != nil {
		return nil, f
	}
	rawParents, f := hashList(p["parents"], "params.parents")
	if f != nil {
		return nil, f
	}
	isBits, bits, f := targetForm(p, "params")
	if f != nil {
		return nil, f
	}
	block := offered{hash: domainHash(raw), bits: bits}
	for _, parent := range rawParents {
		block.parents = append(block.parents, domainHash(parent))
	}
	if value, ok := p["claims"]; ok {
		claims, f := asObject(value, "params.claims")
		if f != nil {
			return nil, f
		}
		if f := checkKeys(claims, "params.claims", nil, []string{"blue_score", "blue_work"}); f != nil {
			return nil, f
		}
		if score, ok := claims["blue_score"]; ok {
			n, f := count(score, "params.claims.blue_score")
			if f != nil {
				return nil, f
			}
			block.claimedBlueScore = &n
		}
		if work, ok := claims["blue_work"]; ok {
			text, f := bigInt(work, "params.claims.blue_work")
			if f != nil {
				return nil, f
			}
			block.claimedBlueWork, block.claimsBlueWork = text, true
		}
	}
	if !isBits {
		return nil, unsupportedDifficulty()
	}
	if a.dag == nil {
		return nil, badRequest("no DAG: send reset first")
	}
	code, err := a.dag.addBlock(block)
	if err != nil {
		return nil, internal(err)
	}
	if code != "" {
		return object{"status": "rejected", "error": code}, nil
	}
	return object{"status": "accepted"}, nil
}

func (a *adapter) ghostdagOf(p object) (any, *failure) {
	if f := checkKeys(p, "params", []string{"hash"}, nil); f != nil {
		return nil, f
	}
	hash, f := a.known(p["hash"], "params.hash")
	if f != nil {
		return nil, f
	}
	data, err := a.dag.data(hash)
	if err != nil {
		return nil, internal(err)
	}
	var selectedParent any
	if !hash.Equal(a.dag.genesis) {
		selectedParent = wireHash(data.SelectedParent().ByteSlice())
	}
	sizes := object{}
	for block, size := range data.BluesAnticoneSizes() {
		b := block
		sizes[wireHash(b.ByteSlice())] = size
	}
	return object{
		"selected_parent":      selectedParent,
		"mergeset_blues":       hashes(data.MergeSetBlues()),
		"mergeset_reds":        hashes(data.MergeSetReds()),
		"blue_score":           data.BlueScore(),
		"blue_work":            encodeWork(data.BlueWork()),
		"blues_anticone_sizes": sizes,
	}, nil
}

func (a *adapter) ancestry(method string, p object) (any, *failure) {
	if f := checkKeys(p, "params", []string{"ancestor", "descendant"}, nil); f != nil {
		return nil, f
	}
	if _, f := hash32(p["ancestor"], "params.ancestor"); f != nil {
		return nil, f
	}
	if _, f := hash32(p["descendant"], "params.descendant"); f != nil {
		return nil, f
	}
	ancestor, f := a.known(p["ancestor"], "params.ancestor")
	if f != nil {
		return nil, f
	}
	descendant, f := a.known(p["descendant"], "params.descendant")
	if f != nil {
		return nil, f
	}
	var answer bool
	var err error
	if method == "is_dag_ancestor" {
		answer, err = a.dag.isDAGAncestor(ancestor, descendant)
	} else {
		answer, err = a.dag.isChainAncestor(ancestor, descendant)
	}
	if err != nil {
		return nil, internal(err)
	}
	return answer, nil
}

func (a *adapter) virtualBlock(p object) (any, *failure) {
	if f := checkKeys(p, "params", nil, nil); f != nil {
		return nil, f
	}
	if a.dag == nil {
		return nil, badRequest("no DAG: send reset first")
	}
	parents, data, err := a.dag.virtual()
	if err != nil {
		return nil, internal(err)
	}
	return object{
		"parents":         hashes(parents),
		"selected_parent": wireHash(data.SelectedParent().ByteSlice()),
		"blue_score":      data.BlueScore(),
		"blue_work":       encodeWork(data.BlueWork()),
		"mergeset_blues":  hashes(data.MergeSetBlues()),
		"mergeset_reds":   hashes(data.MergeSetReds()),
	}, nil
}

// work with bits: kaspad's CompactToBig and CalcWork.
func work(p object) (any, *failure) {
	if f := checkKeys(p, "params", nil, []string{"difficulty", "bits"}); f != nil {
		return nil, f
	}
	isBits, bits, f := targetForm(p, "params")
	if f != nil {
		return nil, f
	}
	if !isBits {
		return nil, unsupportedDifficulty()
	}
	if !targetOK(bits) {
		return nil, fail("INVALID_DIFFICULTY", "bits name no target in 1..2^256-1")
	}
	target := difficulty.CompactToBig(uint32(bits))
	return object{"target": encodeWork(target), "work": encodeWork(difficulty.CalcWork(uint32(bits)))}, nil
}

func (a *adapter) reply(line []byte) object {
	id, method, params, errorID, f := parseRequest(line)
	if f != nil {
		var replyID any
		if errorID != nil {
			replyID = *errorID
		}
		return object{"id": replyID, "error": object{"code": f.code, "message": f.message}}
	}
	result, f := a.safeHandle(method, params)
	if f != nil {
		return object{"id": id, "error": object{"code": f.code, "message": f.message}}
	}
	return object{"id": id, "result": result}
}

// safeHandle answers a kaspad panic with INTERNAL_ERROR and keeps serving.
func (a *adapter) safeHandle(method string, params object) (result any, f *failure) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "kaspad panicked: %v\n%s", r, debug.Stack())
			result, f = nil, fail("INTERNAL_ERROR", "kaspad panicked: %v", r)
		}
	}()
	return a.handle(method, params)
}

func main() {
	input := bufio.NewReaderSize(os.Stdin, 1<<16)
	output := bufio.NewWriter(os.Stdout)
	a := &adapter{}
	defer func() {
		if a.dag != nil {
			a.dag.close()
		}
	}()
	for {
		line, err := input.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if err != io.EOF {
				fmt.Fprintln(os.Stderr, err)
			}
			return
		}
		if line[len(line)-1] == '\n' {
			line = line[:len(line)-1]
		}
		encoded, _ := json.Marshal(a.reply(line))
		output.Write(encoded)
		output.WriteByte('\n')
		output.Flush()
	}
}
