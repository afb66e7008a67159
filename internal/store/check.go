package store

import "fmt"

// maxStructureProblems bounds what Check reports from bbolt's page walk: a
// badly damaged file can yield thousands of lines saying the same thing.
const maxStructureProblems = 20

// CheckReport is what Check found. The store is sound when Problems is empty.
type CheckReport struct {
	Schema        int      `json:"schema"`
	SealedBuckets []string `json:"sealed_buckets"`
	SealedRecords int      `json:"sealed_records"`
	Problems      []string `json:"problems"`
}

// Check walks the whole store: bbolt's own consistency check of every page,
// the schema version, and every sealed record, which must open with the
// master key. Open has already proved the file is a cwsec store and the key
// opens its key check.
func (s *Store) Check() (CheckReport, error) {
	r := CheckReport{SealedBuckets: []string{}, Problems: []string{}}
	err := s.View(func(tx *Tx) error {
		structural := 0
		for err := range tx.btx.Check() {
			if structural++; structural <= maxStructureProblems {
				r.Problems = append(r.Problems, "structure: "+err.Error())
			}
		}
		if structural > maxStructureProblems {
			r.Problems = append(r.Problems, fmt.Sprintf("structure: %d more problems", structural-maxStructureProblems))
		}
		var err error
		if r.Schema, err = tx.Schema(); err != nil {
			return err
		}
		r.SealedBuckets = append(r.SealedBuckets, tx.sealedBuckets()...)
		return tx.eachSealed(func(bucket string, name, sealed []byte) error {
			r.SealedRecords++
			if _, err := s.keys.open(bucket, string(name), sealed); err != nil {
				r.Problems = append(r.Problems, recordName(bucket, name)+": does not open with the master key (altered or damaged)")
			}
			return nil
		})
	})
	return r, err
}
