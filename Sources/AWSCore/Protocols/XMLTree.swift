// A minimal XML element tree for the EC2, AWS query and REST-XML protocols, parsed with FoundationXML.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One XML element with its text and children. Namespaces are ignored: AWS documents use one default namespace.
public struct XMLTree: Sendable, Equatable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLTree]
    /// The element's own character data, trimmed.
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [XMLTree] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child with this (local) name.
    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// All children with this name.
    public func all(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// Follows a dotted path of child names, e.g. `vpcEndpoint.state`.
    public func at(_ path: String) -> XMLTree? {
        var node: XMLTree? = self
        for part in path.split(separator: ".") { node = node?.child(String(part)) }
        return node
    }

    /// Text at a dotted path, nil when the element is absent.
    public func string(_ path: String) -> String? { at(path)?.text }

    /// The items of a list wrapper, e.g. `list("subnetSet", item: "item")` or `list("Subnets", item: "member")`.
    public func list(_ path: String, item: String) -> [XMLTree] { at(path)?.all(item) ?? [] }

    /// First descendant (depth-first) with this name; used where documents nest differently across protocols.
    public func find(_ name: String) -> XMLTree? {
        for c in children {
            if c.name == name { return c }
            if let f = c.find(name) { return f }
        }
        return nil
    }

    /// Parses a document; throws `AWSError(.malformedResponse)` on anything that is not well-formed XML.
    public static func parse(_ data: Data) throws -> XMLTree {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        guard parser.parse(), let root = builder.root else {
            // Foundation's error text is `Error Domain=NSXMLParserErrorDomain Code=5 "(null)"`: say where instead.
            let reason = parser.parserError.map { _ in
                "not well-formed XML at line \(parser.lineNumber), column \(parser.columnNumber)"
            } ?? "empty document"
            throw AWSError(kind: .malformedResponse, code: "MalformedXML",
                           message: "could not read the XML response (\(reason)): \(XMLTree.snippet(data))")
        }
        return root
    }

    /// The first bytes of a body, for error messages about unreadable responses.
    static func snippet(_ data: Data) -> String {
        let text = String(decoding: data.prefix(200), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
        return text.isEmpty ? "<empty body>" : text
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [XMLTree] = []
        var texts: [String] = []
        var root: XMLTree?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            stack.append(XMLTree(name: local, attributes: attributeDict))
            texts.append("")
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !texts.isEmpty { texts[texts.count - 1] += string }
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            if !texts.isEmpty { texts[texts.count - 1] += String(decoding: CDATABlock, as: UTF8.self) }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard var node = stack.popLast() else { return }
            node.text = (texts.popLast() ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].children.append(node)
            }
        }
    }
}

/// Escapes text for inclusion in an XML document.
public func xmlEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.count)
    for ch in s {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.append(ch)
        }
    }
    return out
}
