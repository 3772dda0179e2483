package gguf

import "math"

func (d *decoder) array(depth int) (any, error) {
	if depth >= MaxArrayDepth {
		return nil, d.errf("arrays nested deeper than %d", MaxArrayDepth)
	}
	et, err := d.u32("array type")
	if err != nil {
		return nil, err
	}
	elem := ValueType(et)
	n, err := d.u64("array length")
	if err != nil {
		return nil, err
	}
	// Bound the length by the bytes left before allocating: every element
	// takes at least minSize bytes on disk.
	minSize := uint64(elem.size())
	switch elem {
	case TypeString, TypeArray:
		minSize = 8
	default:
		if minSize == 0 {
			return nil, d.errf("unknown array element type %d", et)
		}
	}
	if n > d.remaining()/minSize {
		return nil, d.errf("array length %d exceeds file size", n)
	}
	a := Array{Elem: elem}
	switch elem {
	case TypeString:
		v := make([]string, n)
		for i := range v {
			if v[i], err = d.str("array string"); err != nil {
				return nil, err
			}
		}
		a.Values = v
	case TypeArray:
		v := make([]Array, n)
		for i := range v {
			x, err := d.array(depth + 1)
			if err != nil {
				return nil, err
			}
			v[i] = x.(Array)
		}
		a.Values = v
	default:
		s, err := d.take(n*minSize, "array data")
		if err != nil {
			return nil, err
		}
		if a.Values, err = scalars(elem, s, int(n)); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// scalars decodes n fixed-size values of type t from s.
func scalars(t ValueType, s []byte, n int) (any, error) {
	switch t {
	case TypeUint8:
		return append([]uint8(nil), s...), nil
	case TypeInt8:
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(s[i])
		}
		return v, nil
	case TypeBool:
		v := make([]bool, n)
		for i := range v {
			if s[i] > 1 {
				return nil, errBool
			}
			v[i] = s[i] == 1
		}
		return v, nil
	case TypeUint16:
		v := make([]uint16, n)
		for i := range v {
			v[i] = le16(s[2*i:])
		}
		return v, nil
	case TypeInt16:
		v := make([]int16, n)
		for i := range v {
			v[i] = int16(le16(s[2*i:]))
		}
		return v, nil
	case TypeUint32:
		v := make([]uint32, n)
		for i := range v {
			v[i] = le32(s[4*i:])
		}
		return v, nil
	case TypeInt32:
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(le32(s[4*i:]))
		}
		return v, nil
	case TypeFloat32:
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(le32(s[4*i:]))
		}
		return v, nil
	case TypeUint64:
		v := make([]uint64, n)
		for i := range v {
			v[i] = le64(s[8*i:])
		}
		return v, nil
	case TypeInt64:
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(le64(s[8*i:]))
		}
		return v, nil
	case TypeFloat64:
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Float64frombits(le64(s[8*i:]))
		}
		return v, nil
	}
	return nil, errElem
}
