// The source of the reviewer_pch object library: the precompiled header is all it builds.
