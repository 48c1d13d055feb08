#!/usr/bin/env python3
"""Dumps what exists in moto, read independently of privgw with boto3, as one JSON object.

Usage: inspect_stack.py --endpoint URL --key AK --secret SK [--region us-east-1]

Integration tests compare this snapshot with what privgw claims to have done, so that a bug in privgw's own
clients cannot hide a bug in its provisioning. Every resource is listed (not only privgw's), with its tags,
so tests can also prove that decoys and the user's own resources were left alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from awsclient import client  # noqa: E402


def tags_of(items) -> dict:
    return {t["Key"]: t["Value"] for t in (items or [])}


def snapshot(endpoint: str, key: str, secret: str, region: str) -> dict:
    ec2 = client("ec2", endpoint, key, secret, region)
    elb = client("elbv2", endpoint, key, secret, region)
    acm = client("acm", endpoint, key, secret, region)
    apigw = client("apigateway", endpoint, key, secret, region)
    r53 = client("route53", endpoint, key, secret, region)
    out: dict = {}

    out["securityGroups"] = [
        {
            "id": g["GroupId"], "name": g["GroupName"], "vpcId": g.get("VpcId"), "tags": tags_of(g.get("Tags")),
            "ingress": [
                {"protocol": p.get("IpProtocol"), "from": p.get("FromPort"), "to": p.get("ToPort"),
                 "cidrs": [r["CidrIp"] for r in p.get("IpRanges", [])],
                 "groups": [r["GroupId"] for r in p.get("UserIdGroupPairs", [])]}
                for p in g.get("IpPermissions", [])
            ],
        }
        for g in ec2.describe_security_groups()["SecurityGroups"]
    ]

    endpoints = []
    for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]:
        if e["State"].lower() in ("deleted", "deleting"):
            continue
        enis = e.get("NetworkInterfaceIds", [])
        ips = []
        if enis:
            ips = [n["PrivateIpAddress"] for n in ec2.describe_network_interfaces(NetworkInterfaceIds=enis)["NetworkInterfaces"]]
        endpoints.append({
            "id": e["VpcEndpointId"], "state": e["State"], "serviceName": e["ServiceName"], "vpcId": e["VpcId"],
            "type": e.get("VpcEndpointType"), "privateDns": e.get("PrivateDnsEnabled"), "tags": tags_of(e.get("Tags")),
            "subnets": e.get("SubnetIds", []), "groups": [g["GroupId"] for g in e.get("Groups", [])], "ips": sorted(ips),
            "dnsEntries": [{"dnsName": d.get("DnsName"), "hostedZoneId": d.get("HostedZoneId")} for d in e.get("DnsEntries", [])],
        })
    out["vpcEndpoints"] = endpoints

    lbs = []
    for lb in elb.describe_load_balancers()["LoadBalancers"]:
        arn = lb["LoadBalancerArn"]
        tags = elb.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]
        attrs = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
        listeners = []
        for l in elb.describe_listeners(LoadBalancerArn=arn)["Listeners"]:
            listeners.append({
                "arn": l["ListenerArn"], "port": l["Port"], "protocol": l["Protocol"], "sslPolicy": l.get("SslPolicy"),
                "certificates": [c["CertificateArn"] for c in l.get("Certificates", [])],
                "sniCertificates": sorted(
                    c["CertificateArn"]
                    for c in elb.describe_listener_certificates(ListenerArn=l["ListenerArn"]).get("Certificates", [])
                    if not c.get("IsDefault")
                ),
                "targetGroups": [a.get("TargetGroupArn") for a in l.get("DefaultActions", [])],
            })
        lbs.append({
            "arn": arn, "name": lb["LoadBalancerName"], "scheme": lb["Scheme"], "type": lb.get("Type"),
            "dnsName": lb["DNSName"], "securityGroups": lb.get("SecurityGroups", []), "tags": tags_of(tags),
            "attributes": attrs, "listeners": listeners,
        })
    out["loadBalancers"] = lbs

    tgs = []
    for tg in elb.describe_target_groups()["TargetGroups"]:
        arn = tg["TargetGroupArn"]
        health = elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        tags = elb.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]
        tgs.append({
            "arn": arn, "name": tg["TargetGroupName"], "protocol": tg.get("Protocol"), "port": tg.get("Port"),
            "targetType": tg.get("TargetType"), "healthCheckPath": tg.get("HealthCheckPath"),
            "healthCheckProtocol": tg.get("HealthCheckProtocol"), "matcher": (tg.get("Matcher") or {}).get("HttpCode"),
            "targets": sorted(h["Target"]["Id"] for h in health), "tags": tags_of(tags),
        })
    out["targetGroups"] = tgs

    certs = []
    for c in acm.list_certificates(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1", "RSA_4096", "EC_secp384r1"]})["CertificateSummaryList"]:
        arn = c["CertificateArn"]
        d = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        tags = acm.list_tags_for_certificate(CertificateArn=arn).get("Tags", [])
        certs.append({"arn": arn, "domain": d["DomainName"], "sans": d.get("SubjectAlternativeNames", []),
                      "status": d["Status"], "tags": tags_of(tags)})
    out["certificates"] = certs

    apis = []
    for a in apigw.get_rest_apis(limit=500).get("items", []):
        apis.append({"id": a["id"], "name": a["name"], "endpointTypes": (a.get("endpointConfiguration") or {}).get("types", []),
                     "policy": a.get("policy"), "tags": a.get("tags", {})})
    out["restApis"] = apis

    domains = []
    for d in apigw.get_domain_names(limit=500).get("items", []):
        name = d["domainName"]
        # A private domain is addressed by name + domainNameId (without the id, API Gateway means the public one).
        by_id = {"domainNameId": d["domainNameId"]} if d.get("domainNameId") else {}
        try:
            mappings = apigw.get_base_path_mappings(domainName=name, limit=500, **by_id).get("items", [])
        except Exception:  # noqa: BLE001 - a domain without mappings may 404 in moto
            mappings = []
        domains.append({
            "name": name, "endpointTypes": (d.get("endpointConfiguration") or {}).get("types", []),
            "regionalCertificateArn": d.get("regionalCertificateArn"), "certificateArn": d.get("certificateArn"),
            "domainNameId": d.get("domainNameId"), "domainNameArn": d.get("domainNameArn"), "policy": d.get("policy"),
            "status": d.get("domainNameStatus"), "securityPolicy": d.get("securityPolicy"),
            "tags": d.get("tags", {}),
            "mappings": [{"basePath": m.get("basePath"), "restApiId": m.get("restApiId"), "stage": m.get("stage")} for m in mappings],
        })
    out["domainNames"] = domains

    out["accessAssociations"] = [
        {"arn": a["domainNameAccessAssociationArn"], "domainNameArn": a["domainNameArn"],
         "sourceType": a.get("accessAssociationSourceType"), "source": a.get("accessAssociationSource"),
         "tags": a.get("tags", {})}
        for a in apigw.get_domain_name_access_associations(resourceOwner="SELF", limit=500).get("items", [])
    ]

    zones = []
    for z in r53.list_hosted_zones()["HostedZones"]:
        zid = z["Id"].split("/")[-1]
        records = r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]
        tags = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zid)["ResourceTagSet"].get("Tags", [])
        vpcs = [v["VPCId"] for v in r53.get_hosted_zone(Id=zid).get("VPCs", [])]
        zones.append({
            "id": zid, "name": z["Name"], "private": z["Config"].get("PrivateZone", False), "tags": tags_of(tags),
            "vpcs": vpcs,
            "records": [
                {"name": r["Name"], "type": r["Type"], "alias": (r.get("AliasTarget") or {}).get("DNSName"),
                 "aliasZone": (r.get("AliasTarget") or {}).get("HostedZoneId"),
                 "values": [v["Value"] for v in r.get("ResourceRecords", [])]}
                for r in records
            ],
        })
    out["zones"] = zones
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--region", default="us-east-1")
    a = ap.parse_args()
    json.dump(snapshot(a.endpoint, a.key, a.secret, a.region), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
