"""The protocol's pages, one module per part: interventions and their steps, file reviews,
letters, referrals, and the practice's outcomes with the coach's notifications."""
