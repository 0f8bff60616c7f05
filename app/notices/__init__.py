"""The half-yearly sharing-session notice to every active member."""
