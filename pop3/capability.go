package pop3

import (
	"bytes"
	"fmt"
	"strings"
)

// Capability names (RFC 2449 §6, RFC 2595 §4, RFC 3206 §6, RFC 5034 §3,
// RFC 6856 §2).
const (
	CapTop            = "TOP"
	CapUser           = "USER"
	CapSASL           = "SASL"
	CapRespCodes      = "RESP-CODES"
	CapAuthRespCode   = "AUTH-RESP-CODE"
	CapPipelining     = "PIPELINING"
	CapUIDL           = "UIDL"
	CapExpire         = "EXPIRE"
	CapLoginDelay     = "LOGIN-DELAY"
	CapImplementation = "IMPLEMENTATION"
	CapSTLS           = "STLS"
	CapUTF8           = "UTF8"
	CapLang           = "LANG"
)

// Capability is one line of a CAPA response (RFC 2449 §5): a tag and its
// parameters, such as "SASL PLAIN SCRAM-SHA-256" or "EXPIRE 30 USER".
type Capability struct {
	// Name is the capability tag in upper case.
	Name string
	// Params are its parameters as sent.
	Params []string
}

// AppendTo appends the capability line, CRLF included, to b. It fails with
// ErrInvalid if the name is not printable ASCII without ".", or a
// parameter is empty or holds a space, CR, LF or NUL.
func (c Capability) AppendTo(b []byte) ([]byte, error) {
	if !printable(c.Name) || c.Name[0] == '.' {
		return b, fmt.Errorf("%w: capability %q", ErrInvalid, c.Name)
	}
	for _, p := range c.Params {
		// IMPLEMENTATION's parameter is free text (RFC 2449 §6.9).
		if p == "" || !safeText(p) || strings.IndexByte(p, ' ') >= 0 && c.Name != CapImplementation {
			return b, fmt.Errorf("%w: capability %s parameter %q", ErrInvalid, c.Name, p)
		}
	}
	b = append(b, c.Name...)
	for _, p := range c.Params {
		b = append(b, ' ')
		b = append(b, p...)
	}
	return append(b, "\r\n"...), nil
}

// ParseCapability parses one line of a CAPA response (already unstuffed,
// without its line end). The tag is returned in upper case.
func ParseCapability(line []byte, mode Mode) (Capability, error) {
	var c Capability
	if mode != Strict {
		line = bytes.TrimSpace(line)
	}
	fields := bytes.Split(line, []byte{' '})
	if mode != Strict {
		fields = bytes.Fields(line)
	}
	if len(fields) == 0 || !printable(string(fields[0])) {
		return c, fmt.Errorf("%w: capability line %q", ErrSyntax, clip(line))
	}
	c.Name = strings.ToUpper(string(fields[0]))
	for _, f := range fields[1:] {
		if mode == Strict && !printable(string(f)) {
			return c, fmt.Errorf("%w: capability line %q", ErrSyntax, clip(line))
		}
		c.Params = append(c.Params, string(f))
	}
	return c, nil
}

// Capabilities is a server's CAPA response.
type Capabilities []Capability

// Has reports whether the capability named (case-insensitively) is
// present.
func (cs Capabilities) Has(name string) bool {
	_, ok := cs.Get(name)
	return ok
}

// Get returns the capability named (case-insensitively).
func (cs Capabilities) Get(name string) (Capability, bool) {
	for _, c := range cs {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Capability{}, false
}

// SASL returns the SASL mechanisms announced (RFC 5034 §3), in upper case.
func (cs Capabilities) SASL() []string {
	c, _ := cs.Get(CapSASL)
	out := make([]string, len(c.Params))
	for i, p := range c.Params {
		out[i] = strings.ToUpper(p)
	}
	return out
}

// HasSASL reports whether the SASL mechanism named is announced.
func (cs Capabilities) HasSASL(mech string) bool {
	c, _ := cs.Get(CapSASL)
	for _, p := range c.Params {
		if strings.EqualFold(p, mech) {
			return true
		}
	}
	return false
}
