// Package mimecorpus generates RFC 5322 / MIME messages for tests: a fixed
// set of named, hand-written edge cases (Fixed) and a deterministic
// pseudo-random stream of varied messages (Messages).
//
// The messages are meant to be tricky rather than typical: encoded-words in
// several charsets, RFC 2231 parameters, address groups and source routes,
// nested message/rfc822 parts, multipart/digest defaults, and deliberately
// broken MIME (missing or unknown boundaries, duplicate headers, raw 8-bit
// header bytes, bad base64). Every message uses CRLF line ends, holds no NUL
// byte (so it can be sent in an IMAP literal, RFC 3501 §4.3) and is at most
// a few hundred kilobytes.
//
// The output depends only on the arguments: the generator has its own
// pseudo-random number generator, so that a corpus stays the same across Go
// versions and golden results computed from it stay valid.
package mimecorpus

// Message is one generated message: a name for reports (unique within
// Fixed, and within one call of Messages) and the message's bytes.
type Message struct {
	Name string
	Data []byte
}

// Messages returns n pseudo-random messages derived from seed. The same
// seed gives the same messages, byte for byte; message i does not depend on
// n, so Messages(seed, 10) is a prefix of Messages(seed, 100). Names have
// the form "gen-s<seed>-<index>-<root type>" followed by "+quirk" tags
// naming the deliberate oddities applied to the message.
func Messages(seed int64, n int) []Message {
	if n <= 0 {
		return nil
	}
	out := make([]Message, n)
	for i := range out {
		g := &gen{r: newRNG(uint64(seed), uint64(i))}
		out[i] = g.message(seed, i)
	}
	return out
}

// rng is SplitMix64 (Steele, Lea, Flood 2014): small, fast, and fixed here
// so that the corpus does not change with the standard library's
// generators.
type rng struct{ s uint64 }

func newRNG(seed, index uint64) *rng {
	r := &rng{s: seed}
	r.s = r.next() ^ (index * 0xd1342543de82ef95)
	r.next()
	return r
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance reports true with probability percent/100.
func (r *rng) chance(percent int) bool { return r.intn(100) < percent }

// pick returns a random element of xs, which must not be empty.
func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }
