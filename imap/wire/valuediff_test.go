package wire

import (
	"fmt"
	"reflect"
	"time"
)

// ValueDiff compares two decoded values deeply and returns the path of the
// first difference, or "". Times are equal when they are the same instant
// with the same offset (decoded times carry the decoder's own
// *time.Location values, so reflect.DeepEqual would always fail on them);
// a nil slice differs from an empty one. It is exported for the external
// tests (package wire_test).
func ValueDiff(a, b any) string {
	return valueDiff("", reflect.ValueOf(a), reflect.ValueOf(b), false)
}

var timeType = reflect.TypeOf(time.Time{})

// valueDiff is ValueDiff at path; looseNil makes a nil slice equal to an
// empty one.
func valueDiff(path string, a, b reflect.Value, looseNil bool) string {
	if a.IsValid() != b.IsValid() {
		return path + ": one is nil"
	}
	if !a.IsValid() {
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %v != %v", path, a.Type(), b.Type())
	}
	if a.Type() == timeType && a.CanInterface() {
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		_, oa := ta.Zone()
		_, ob := tb.Zone()
		if !ta.Equal(tb) || oa != ob || ta.IsZero() != tb.IsZero() {
			return fmt.Sprintf("%s: %v != %v", path, ta, tb)
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v != %v", path, a.IsNil(), b.IsNil())
		}
		if a.IsNil() {
			return ""
		}
		return valueDiff(path, a.Elem(), b.Elem(), looseNil)
	case reflect.Slice:
		if !looseNil && a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil slice %v != %v (len %d, %d)", path, a.IsNil(), b.IsNil(), a.Len(), b.Len())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d != %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := valueDiff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), looseNil); d != "" {
				return d
			}
		}
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := valueDiff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i), looseNil); d != "" {
				return d
			}
		}
	case reflect.String:
		if a.String() != b.String() {
			return fmt.Sprintf("%s: %q != %q", path, a.String(), b.String())
		}
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return fmt.Sprintf("%s: %v != %v", path, a.Bool(), b.Bool())
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return fmt.Sprintf("%s: %d != %d", path, a.Int(), b.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() != b.Uint() {
			return fmt.Sprintf("%s: %d != %d", path, a.Uint(), b.Uint())
		}
	default:
		if !a.CanInterface() || !b.CanInterface() {
			return fmt.Sprintf("%s: cannot compare %v", path, a.Kind())
		}
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return fmt.Sprintf("%s: %v != %v", path, a.Interface(), b.Interface())
		}
	}
	return ""
}
