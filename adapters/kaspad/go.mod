module dagspec/adapters/kaspad

go 1.23

require github.com/kaspanet/kaspad v0.12.23

require (
	github.com/golang/protobuf v1.5.4 // indirect
	github.com/golang/snappy v0.0.1 // indirect
	github.com/jrick/logrotate v1.0.0 // indirect
	github.com/kaspanet/go-muhash v0.0.4 // indirect
	github.com/kaspanet/go-secp256k1 v0.0.7 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/syndtr/goleveldb v1.0.1-0.20190923125748-758128399b1d // indirect
	golang.org/x/crypto v0.28.0 // indirect
	golang.org/x/sys v0.26.0 // indirect
	google.golang.org/protobuf v1.35.1 // indirect
)
