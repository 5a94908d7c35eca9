package rules

// Refusals about the store file itself (exit 6).
var (
	ErrStoreNotFound = newErr(KindUnavailable, "STORE_NOT_FOUND", "数据存储文件不存在（只读命令从不创建存储）", "the store file does not exist (commands that only read never create one)")
	ErrStoreDamaged  = newErr(KindUnavailable, "STORE_DAMAGED", "数据存储文件已损坏，请运行 jgctl store check 查看详情并从备份恢复", "the store file is damaged; run `jgctl store check` for details and restore it from a backup")
)
