package passwd

import (
	"crypto/sha512"
	"crypto/subtle"
	"strconv"
	"strings"
)

// SHA-512 crypt ("$6$", Ulrich Drepper's "Unix crypt using SHA-256 and
// SHA-512", the scheme Dovecot calls SHA512-CRYPT).

const crypt64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// sha512Crypt computes the "$6$" hash of password with the salt and
// rounds of setting ("$6$[rounds=N$]salt[$...]").
func sha512Crypt(password, setting string) (string, bool) {
	if !strings.HasPrefix(setting, "$6$") {
		return "", false
	}
	rest := setting[3:]
	rounds, custom := 5000, false
	if strings.HasPrefix(rest, "rounds=") {
		i := strings.IndexByte(rest, '$')
		if i < 0 {
			return "", false
		}
		n, err := strconv.Atoi(rest[len("rounds="):i])
		if err != nil {
			return "", false
		}
		rounds, custom = min(max(n, 1000), 999999999), true
		rest = rest[i+1:]
	}
	salt := rest
	if i := strings.IndexByte(salt, '$'); i >= 0 {
		salt = salt[:i]
	}
	if len(salt) > 16 {
		salt = salt[:16]
	}
	p, s := []byte(password), []byte(salt)

	b := sha512.New()
	b.Write(p)
	b.Write(s)
	b.Write(p)
	sumB := b.Sum(nil)

	a := sha512.New()
	a.Write(p)
	a.Write(s)
	for n := len(p); n > 0; n -= 64 {
		a.Write(sumB[:min(n, 64)])
	}
	for n := len(p); n > 0; n >>= 1 {
		if n&1 != 0 {
			a.Write(sumB)
		} else {
			a.Write(p)
		}
	}
	sumA := a.Sum(nil)

	dp := sha512.New()
	for range len(p) {
		dp.Write(p)
	}
	sumDP := dp.Sum(nil)
	pSeq := make([]byte, 0, len(p))
	for n := len(p); n > 0; n -= 64 {
		pSeq = append(pSeq, sumDP[:min(n, 64)]...)
	}

	ds := sha512.New()
	for range 16 + int(sumA[0]) {
		ds.Write(s)
	}
	sumDS := ds.Sum(nil)
	sSeq := make([]byte, 0, len(s))
	for n := len(s); n > 0; n -= 64 {
		sSeq = append(sSeq, sumDS[:min(n, 64)]...)
	}

	c := sumA
	for i := range rounds {
		h := sha512.New()
		if i&1 != 0 {
			h.Write(pSeq)
		} else {
			h.Write(c)
		}
		if i%3 != 0 {
			h.Write(sSeq)
		}
		if i%7 != 0 {
			h.Write(pSeq)
		}
		if i&1 != 0 {
			h.Write(c)
		} else {
			h.Write(pSeq)
		}
		c = h.Sum(nil)
	}

	var out strings.Builder
	out.WriteString("$6$")
	if custom {
		out.WriteString("rounds=" + strconv.Itoa(rounds) + "$")
	}
	out.WriteString(salt)
	out.WriteByte('$')
	enc := func(b2, b1, b0 byte, n int) {
		w := uint(b2)<<16 | uint(b1)<<8 | uint(b0)
		for ; n > 0; n-- {
			out.WriteByte(crypt64[w&0x3f])
			w >>= 6
		}
	}
	order := [...][3]int{
		{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4},
		{47, 5, 26}, {6, 27, 48}, {28, 49, 7}, {50, 8, 29}, {9, 30, 51},
		{31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35},
		{15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19},
		{62, 20, 41},
	}
	for _, o := range order {
		enc(c[o[0]], c[o[1]], c[o[2]], 4)
	}
	enc(0, 0, c[63], 2)
	return out.String(), true
}

// checkSHA512Crypt reports whether password matches a "$6$" hash.
func checkSHA512Crypt(password, hash string) bool {
	got, ok := sha512Crypt(password, hash)
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(hash)) == 1
}
