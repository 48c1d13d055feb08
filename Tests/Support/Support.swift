// Test support: starting moto server and running the privgw binary.
