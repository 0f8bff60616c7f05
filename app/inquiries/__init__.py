"""Inquiries (お問い合わせ) sent through the public form."""
