#!/usr/bin/env python3
"""Creates, in moto, the network and zones a privgw stack needs and prints their ids as one JSON object.

Usage: fixtures.py --endpoint URL --key AK --secret SK [--region us-east-1]

Creates: a VPC 10.20.0.0/16 (DNS support and host names on), two subnets in two availability zones,
a public hosted zone `example.com` (where ACM validation records go), a private hosted zone
`example.com` attached to the VPC (split horizon: where the custom name resolves inside the VPC),
a private hosted zone `example.internal` attached to the VPC, and a PRIVATE REST API `demo` with a
MOCK GET / deployed to stage `prod`.
Prints: {"vpcId","subnetIds":[..],"availabilityZones":[..],"publicZoneId","privateZoneId",
         "internalZoneId","restApiId","stage","region"}
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from awsclient import client  # noqa: E402


def create(endpoint: str, key: str, secret: str, region: str) -> dict:
    ec2 = client("ec2", endpoint, key, secret, region)
    route53 = client("route53", endpoint, key, secret, region)
    apigw = client("apigateway", endpoint, key, secret, region)

    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    zones = [f"{region}a", f"{region}b"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.20.{i + 1}.0/24", AvailabilityZone=az)["Subnet"]["SubnetId"]
        for i, az in enumerate(zones)
    ]

    def zone(name: str, private: bool) -> str:
        args = {"Name": name, "CallerReference": str(uuid.uuid4())}
        if private:
            args["VPC"] = {"VPCRegion": region, "VPCId": vpc_id}
            args["HostedZoneConfig"] = {"PrivateZone": True, "Comment": "privgw test fixture"}
        return route53.create_hosted_zone(**args)["HostedZone"]["Id"].split("/")[-1]

    api_id = apigw.create_rest_api(name="demo", endpointConfiguration={"types": ["PRIVATE"]})["id"]
    root_id = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    apigw.put_method(restApiId=api_id, resourceId=root_id, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root_id, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    apigw.create_deployment(restApiId=api_id, stageName="prod")

    return {
        "vpcId": vpc_id,
        "subnetIds": subnet_ids,
        "availabilityZones": zones,
        "publicZoneId": zone("example.com", private=False),
        "privateZoneId": zone("example.com", private=True),
        "internalZoneId": zone("example.internal", private=True),
        "restApiId": api_id,
        "stage": "prod",
        "region": region,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()
    print(json.dumps(create(args.endpoint, args.key, args.secret, args.region)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
