"""Operations: health, readiness, metrics, request logs, backups and data retention."""
