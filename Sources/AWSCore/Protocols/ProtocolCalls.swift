// Serializers for the five wire protocols: each turns an operation into an HTTP request and its answer into a tree.
import Foundation

extension AWSClient {
    /// EC2 query protocol: returns the `<ActionResponse>` root element.
    public func ec2(_ action: String, _ params: QueryParams = QueryParams(), idempotent: Bool, mutating: Bool) async throws -> XMLTree {
        let response = try await formPost(.ec2, action: action, params: params, idempotent: idempotent, mutating: mutating)
        return try parseXML(response, service: .ec2, operation: action)
    }

    /// AWS query protocol (ELBv2, STS): returns the `<ActionResult>` element (or the root when there is none).
    public func query(_ service: ServiceDescriptor, _ action: String, _ params: QueryParams = QueryParams(),
                      idempotent: Bool, mutating: Bool) async throws -> XMLTree {
        let response = try await formPost(service, action: action, params: params, idempotent: idempotent, mutating: mutating)
        let root = try parseXML(response, service: service, operation: action)
        return root.child("\(action)Result") ?? root
    }

    private func formPost(_ service: ServiceDescriptor, action: String, params: QueryParams, idempotent: Bool,
                          mutating: Bool) async throws -> HTTPResponse {
        let body = params.formBody(action: action, version: service.apiVersion)
        let op = OperationRequest(operation: action, method: "POST", path: "/",
                                  headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                                  body: body, idempotent: idempotent, mutating: mutating)
        return try await send(service, op)
    }

    /// REST-JSON (API Gateway): `path` is wire-encoded; returns the parsed body (`{}` when empty).
    public func restJSON(_ service: ServiceDescriptor, _ operation: String, method: String, path: String,
                         query: [QueryItem] = [], body: JSONValue? = nil, idempotent: Bool, mutating: Bool) async throws -> JSONValue {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        var data = Data()
        if let body {
            data = body.encoded()
            headers.append(("Content-Type", "application/json"))
        }
        let op = OperationRequest(operation: operation, method: method, path: path, query: query, headers: headers,
                                  body: data, idempotent: idempotent, mutating: mutating)
        let response = try await send(service, op)
        // Parse by the protocol, not by Content-Type (moto labels JSON as text/html).
        return try withContext(service, operation, status: response.status) { try JSONValue.parse(response.body) }
    }

    /// REST-XML (Route 53): returns the response's root element (an empty element for an empty body).
    public func restXML(_ service: ServiceDescriptor, _ operation: String, method: String, path: String,
                        query: [QueryItem] = [], body: String? = nil, idempotent: Bool, mutating: Bool) async throws -> XMLTree {
        var headers: [(name: String, value: String)] = []
        var data = Data()
        if let body {
            data = Data(body.utf8)
            headers.append(("Content-Type", "application/xml"))
        }
        let op = OperationRequest(operation: operation, method: method, path: path, query: query, headers: headers,
                                  body: data, idempotent: idempotent, mutating: mutating)
        let response = try await send(service, op)
        if response.body.isEmpty { return XMLTree(name: "\(operation)Response") }
        return try parseXML(response, service: service, operation: operation)
    }

    /// JSON 1.1 RPC (ACM): POST / with `X-Amz-Target: Prefix.Operation`.
    public func json(_ service: ServiceDescriptor, _ operation: String, _ body: JSONValue = .object([:]),
                     idempotent: Bool, mutating: Bool) async throws -> JSONValue {
        let target = "\(service.targetPrefix ?? service.signingName).\(operation)"
        let op = OperationRequest(operation: operation, method: "POST", path: "/",
                                  headers: [("X-Amz-Target", target),
                                            ("Content-Type", "application/x-amz-json-\(service.jsonVersion ?? "1.1")")],
                                  body: body.encoded(), idempotent: idempotent, mutating: mutating)
        let response = try await send(service, op)
        return try withContext(service, operation, status: response.status) { try JSONValue.parse(response.body) }
    }

    private func parseXML(_ response: HTTPResponse, service: ServiceDescriptor, operation: String) throws -> XMLTree {
        try withContext(service, operation, status: response.status) { try XMLTree.parse(response.body) }
    }

    private func withContext<T>(_ service: ServiceDescriptor, _ operation: String, status: Int, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var e as AWSError {
            e.service = service.signingName
            e.operation = operation
            e.httpStatus = status
            throw e
        }
    }
}
