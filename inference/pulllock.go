package inference

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"
)

// Two pulls of one URL at once (two `tao model pull` runs, or a devnet's
// and a user's) would share its partial download: the second's truncation
// would zero the first's bytes under it, and the first's rename would move
// into the cache a file the second still writes to, leaving a model whose
// bytes are not its CID's and a pull record that keeps answering with it.
// So a pull holds its URL's lock, .partial-KEY.lock beside the partial
// download, from before it reads the pull record until it returns; a
// second pull of the URL waits for it, then finds the model cached. The
// holder removes the lock file before it lets go of it, and a pull that
// locks a file no longer at the path tries again, so the cache keeps no
// lock file and two pulls never both hold one.

// lockPoll is how often a pull waiting for another one's lock tries again.
const lockPoll = 100 * time.Millisecond

// lockPath is the lock file of the partial download at partial.
func lockPath(partial string) string {
	return strings.TrimSuffix(partial, ".gguf") + ".lock"
}

// lockPull takes the lock of the pull of rawURL whose partial download is
// at partial, waiting (with a warning on log) while another pull holds it,
// until ctx ends; it returns the lock's release.
func lockPull(ctx context.Context, rawURL, partial string, log *slog.Logger) (func(), error) {
	path := lockPath(partial)
	warned := false
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, err
		}
		locked, err := tryLockFile(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if locked {
			fi, err1 := f.Stat()
			now, err2 := os.Stat(path)
			if err1 == nil && err2 == nil && os.SameFile(fi, now) {
				return func() {
					os.Remove(path) // before the unlock: see above
					f.Close()
				}, nil
			}
			// The holder before removed it as this pull opened it: take
			// the file now at the path.
			f.Close()
			continue
		}
		f.Close()
		if !warned {
			log.Warn("model pull: another pull of this URL is in progress; waiting for it to finish", "url", rawURL, "lock", path)
			warned = true
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("pull %s: stopped while waiting for another pull of this URL to finish: %w", rawURL, context.Cause(ctx))
		case <-time.After(lockPoll):
		}
	}
}
