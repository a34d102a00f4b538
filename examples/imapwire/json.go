package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
)

// This file turns decoded values into readable JSON: encoding/json's
// rendering of the typed value, in field order, with zero fields left out,
// byte slices shown as strings when they are UTF-8, and a few types shown
// the way IMAP writes them (NIL strings as null, sequence sets as "1:5,7",
// STORE's operation as "+").

// field is one member of an object.
type field struct {
	name  string
	value any
}

// object is a JSON object that keeps its members in order.
type object []field

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(f.name)
		if err != nil {
			return nil, err
		}
		v, err := marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without the escaping of <, > and & (message IDs
// and addresses are full of them).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// appendStruct appends the non-zero exported fields of the struct ptr
// points to, except those named in skip.
func (o object) appendStruct(ptr any, skip ...string) object {
	return appendFields(o, reflect.ValueOf(ptr).Elem(), skip...)
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	nstringType = reflect.TypeFor[imap.NString]()
	storeOpType = reflect.TypeFor[imap.StoreOp]()
	stringer    = reflect.TypeFor[fmt.Stringer]()
)

func appendFields(o object, v reflect.Value, skip ...string) object {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || contains(skip, f.Name) {
			continue
		}
		fv := v.Field(i)
		if fv.IsZero() {
			continue
		}
		val := toJSON(fv)
		if f.Type.Kind() == reflect.Int32 && strings.Contains(f.Name, "Delim") {
			// A hierarchy delimiter is a rune: show "/" rather than 47.
			val = string(rune(fv.Int()))
		}
		if sub, ok := val.(object); ok && f.Anonymous {
			o = append(o, sub...) // flatten embedded structs, as encoding/json does
			continue
		}
		o = append(o, field{f.Name, val})
	}
	return o
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// toJSON converts v into a value encoding/json renders readably.
func toJSON(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	switch v.Type() {
	case timeType:
		return v.Interface().(time.Time).Format(time.RFC3339)
	case nstringType:
		if ns := v.Interface().(imap.NString); ns.Valid {
			return ns.S
		}
		return nil
	case storeOpType:
		return string(rune(v.Uint()))
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return toJSON(v.Elem())
	case reflect.Struct:
		// A struct that hides its contents but can print itself (a
		// sequence set) is shown as it prints.
		if s, ok := asString(v); ok && !hasExportedFields(v.Type()) {
			return s
		}
		o := appendFields(object{}, v)
		return o
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b := v.Bytes()
			if utf8.Valid(b) {
				return string(b)
			}
			return b // base64, as encoding/json does
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = toJSON(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		m := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			m[fmt.Sprint(toJSON(it.Key()))] = toJSON(it.Value())
		}
		return m
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if s, ok := asString(v); ok && v.Type().PkgPath() != "" {
			return s // a named enumeration, e.g. a response kind
		}
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if s, ok := asString(v); ok && v.Type().PkgPath() != "" {
			return s
		}
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return v.Kind().String()
}

// asString returns v.String() if v's type (or a pointer to it) has one.
func asString(v reflect.Value) (string, bool) {
	if v.Type().Implements(stringer) {
		return v.Interface().(fmt.Stringer).String(), true
	}
	if reflect.PointerTo(v.Type()).Implements(stringer) {
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		return p.Interface().(fmt.Stringer).String(), true
	}
	return "", false
}

// hasExportedFields reports whether t has an exported field of its own (not
// one promoted from an embedded struct).
func hasExportedFields(t reflect.Type) bool {
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && !f.Anonymous {
			return true
		}
	}
	return false
}
