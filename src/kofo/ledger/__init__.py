"""Double-entry, append-only ledger. Balances are sums of postings, never stored or edited."""
