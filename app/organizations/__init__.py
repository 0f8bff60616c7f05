"""The official list of Japanese local governments (全国地方公共団体コード)."""
