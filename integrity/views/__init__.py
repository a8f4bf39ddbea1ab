"""The pages of 诚信录入: the accountant's (manual §8) and the staff's (negative records)."""
