// The commented spec that `privgw init` writes.

extension StackSpec {
    /// A complete, commented `privgw.yaml`. Every key is explained; the
    /// placeholder ids are syntactically valid, so the file parses as written
    /// (replace them with real ids before `privgw apply`).
    public static let exampleYAML: String = #"""
# privgw.yaml: a private DNS name for a private API Gateway REST API, inside a VPC.
# Replace the placeholder ids below with your own; `privgw plan` shows what would change.

# Stack name: lowercase letters, digits and '-', starts with a letter, at most 28 characters.
# It goes into the names of what privgw creates (e.g. load balancer pgw-orders, group privgw-orders-alb-sg).
name: orders

# AWS region. Leave it out to use the region from your AWS settings (AWS_REGION, ~/.aws/config).
region: eu-west-1

# How the name reaches the API:
#   alb    - execute-api VPC endpoint <- internal ALB <- API Gateway custom domain (default)
#   native - API Gateway private custom domain names (no ALB)
design: alb

# The DNS name clients in the VPC will call: lowercase, no wildcard.
domain: api.internal.example.com
# ...or several names (design alb only); use either `domain` or `domains`, not both:
# domains: [api.internal.example.com, orders.internal.example.com]

# The VPC whose clients call the API, and two or more of its subnets in different
# availability zones (the ALB and the VPC endpoint get a network interface in each).
vpc: vpc-0123456789abcdef0
subnets:
  - subnet-0123456789abcdef0
  - subnet-0fedcba9876543210

# Optional: an existing execute-api interface VPC endpoint to use instead of creating one.
# vpcEndpoint: vpce-0123456789abcdef0

# Optional (alb): existing security groups for the ALB. Left out, privgw creates one
# that allows HTTPS from the VPC.
# securityGroups: [sg-0123456789abcdef0]

# The TLS certificate for the domain(s); give exactly one of:
#   arn            - an existing ACM certificate in the stack's region, or
#   validationZone - a PUBLIC Route 53 hosted zone id where privgw DNS-validates a new certificate.
certificate:
  validationZone: Z0123456789ABCDEFGHIJ
  # arn: arn:aws:acm:eu-west-1:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef

# The private hosted zone that gets the alias record: an existing zone id (Z...), or
# `create` to have privgw create one (associated with the VPC) named privateZoneName.
privateZone: create
# The private zone's name: required with `create`, optional otherwise.
# The domain(s) must be inside it.
privateZoneName: internal.example.com

# The REST API to serve under the domain:
#   id       - `demo` (privgw creates a small demo API) or an existing REST API id (10 characters)
#   stage    - the stage to map (default prod)
#   basePath - "" (or "(none)") for the root, or one path segment such as v1
api:
  id: demo
  stage: prod
  basePath: ""
# ...or several APIs under different base paths (use either `api` or `apis`):
# apis:
#   - basePath: orders
#     id: a1b2c3d4e5
#     stage: prod
#   - basePath: billing
#     id: f6g7h8i9j0
#     stage: live

# Optional: let privgw add the VPC endpoint to the API's resource policy (default false).
manageApiPolicy: false

# Optional (alb): the ALB target group health check against the VPC endpoint.
#   path  - must start with / (default "/")
#   codes - HTTP codes that count as healthy: 200-499, comma list or ranges (default "200,403")
healthCheck:
  path: /
  codes: "200,403"

# Optional: tags for every resource privgw creates (keys must not start with aws: or privgw:).
tags:
  team: payments
"""#
}
