package ledger

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// BadgerStore is a Store on badger. Each Write is one badger transaction,
// so a block's writes land together or not at all.
type BadgerStore struct {
	db *badger.DB
}

var _ Store = (*BadgerStore)(nil)

// BadgerOptions returns the options OpenBadger uses for dir: badger's
// defaults with synchronous writes (a committed block survives a power
// loss) and badger's own logging routed to logger at warning level and
// above (nil: discarded).
func BadgerOptions(dir string, logger *slog.Logger) badger.Options {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(badgerLogger{logger}).
		WithLoggingLevel(badger.WARNING)
}

// OpenBadger opens (creating if needed) a badger store with opts, such as
// BadgerOptions(dir, logger) or a smaller variant for tests.
func OpenBadger(opts badger.Options) (*BadgerStore, error) {
	db, err := badger.Open(opts)
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("open block store %s: another process has it open (a tao node on the same data dir?): stop that one, or give this one its own --data-dir: %w", opts.Dir, err)
		}
		return nil, fmt.Errorf("open block store %s: %w", opts.Dir, err)
	}
	return &BadgerStore{db: db}, nil
}

// Get implements Store.
func (s *BadgerStore) Get(key []byte) ([]byte, error) {
	var out []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out, err = item.ValueCopy(nil)
		return err
	})
	return out, mapBadgerErr(err)
}

// Iterate implements Store. It reads one consistent snapshot of the store.
func (s *BadgerStore) Iterate(prefix []byte, fn func(key, value []byte) error) error {
	return mapBadgerErr(s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			item := it.Item()
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := fn(item.KeyCopy(nil), v); err != nil {
				return err
			}
		}
		return nil
	}))
}

// Write implements Store: one transaction, so all of batch or nothing. A
// batch larger than badger's transaction limit (about 15% of the memtable
// size, 9.6 MB by default) fails with badger.ErrTxnTooBig and writes
// nothing.
func (s *BadgerStore) Write(batch []KV) error {
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, kv := range batch {
			var err error
			if len(kv.Value) == 0 {
				err = txn.Delete(kv.Key)
			} else {
				err = txn.Set(kv.Key, kv.Value)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, badger.ErrTxnTooBig) {
		return fmt.Errorf("write %d entries in one transaction: %w (raise the memtable size)", len(batch), err)
	}
	return mapBadgerErr(err)
}

// Close implements Store. A second call is a no-op.
func (s *BadgerStore) Close() error {
	if s.db.IsClosed() {
		return nil
	}
	return s.db.Close()
}

func mapBadgerErr(err error) error {
	if errors.Is(err, badger.ErrDBClosed) {
		return ErrClosed
	}
	return err
}

// badgerLogger routes badger's printf logging to slog.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Infof(f string, a ...any) {
	b.l.Info(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Debugf(f string, a ...any) {
	b.l.Debug(fmt.Sprintf(f, a...), "component", "badger")
}

// snapshot implements snapshotter: one read-only transaction, discarded
// by the returned function. It is for one goroutine (a block's execution).
func (s *BadgerStore) snapshot() (reader, func()) {
	txn := s.db.NewTransaction(false)
	return badgerSnapshot{txn}, txn.Discard
}

type badgerSnapshot struct{ txn *badger.Txn }

func (b badgerSnapshot) Get(key []byte) ([]byte, error) {
	item, err := b.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, mapBadgerErr(err)
	}
	return item.ValueCopy(nil)
}

func (b badgerSnapshot) Iterate(prefix []byte, fn func(key, value []byte) error) error {
	opts := badger.DefaultIteratorOptions
	opts.Prefix = prefix
	it := b.txn.NewIterator(opts)
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		v, err := item.ValueCopy(nil)
		if err != nil {
			return mapBadgerErr(err)
		}
		if err := fn(item.KeyCopy(nil), v); err != nil {
			return err
		}
	}
	return nil
}
