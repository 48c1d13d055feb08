// AWSServices module: see Package.swift for the module map.
