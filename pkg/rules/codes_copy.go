package rules

// Refusals of `jgctl store copy`.
var (
	ErrStoreNotEmpty = newErr(KindConflict, "STORE_NOT_EMPTY", "目标数据存储不是空的：只能复制到空的存储", "the destination store is not empty: a store is copied into an empty one only")
	ErrCopyMismatch  = newErr(KindInternal, "COPY_MISMATCH", "复制后目标存储的计数与源存储不符", "after the copy, the destination's counts differ from the source's")
)
