module e2e-profile/tests/go

go 1.19
