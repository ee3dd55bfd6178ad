package sqlstore

// MapErrForTest maps a driver error as the store methods do, for tests
// that check the schema's constraints with raw statements.
func MapErrForTest(err error) error { return mapErr(err) }
