// The OPC UA test peer: a node-opcua server on 127.0.0.1 for Spindle's opcua collector tests and
// benchmarks. Installed by scripts/setup (build/test-peers/opcua); started and stopped by PID.
//
//   node server.js --port P --pki DIR [--items N] [--interval MS] [--user NAME:PASSWORD]
//
// Prints one line "ready <endpoint url>" on stdout when it listens, then one line per namespace
// "namespace <index> <uri>". Address space (namespaces by URI, never by index):
//   http://spindle.test/cnc     CNC1: SpindleSpeed (Double), PartCount (Int32), Execution
//                               (String), Running (Boolean), Axes (Double[3]), Heat (Double 2x3),
//                               Range (a structure, EURange i=884), FeedOverride (writable
//                               Double); method ResetPartCount(); Load: Item1..ItemN (Double)
//   http://spindle.test/robot   Robot1: Joints (Double[6]), Mode (String)
// Values change every --interval ms (default 100). Security: None, Basic256Sha256 and
// Aes128_Sha256_RsaOaep in Sign and SignAndEncrypt; anonymous and every --user. The client's
// certificate is accepted on first sight (the tests check Spindle's trust, not the peer's).
"use strict";
const { OPCUAServer } = require("node-opcua-server");
const { OPCUACertificateManager } = require("node-opcua-certificate-manager");
const {
  Variant, DataType, VariantArrayType, StatusCodes, MessageSecurityMode, SecurityPolicy,
  coerceNodeId,
} = require("node-opcua-client");

function parseArgs(argv) {
  const out = { port: 4840, pki: "", items: 0, interval: 100, users: {} };
  for (let i = 2; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${key} needs a value`);
    if (key === "--port") out.port = parseInt(value, 10);
    else if (key === "--pki") out.pki = value;
    else if (key === "--items") out.items = parseInt(value, 10);
    else if (key === "--interval") out.interval = parseInt(value, 10);
    else if (key === "--user") {
      const at = value.indexOf(":");
      out.users[value.slice(0, at)] = value.slice(at + 1);
    } else throw new Error(`unknown option ${key}`);
  }
  if (!out.pki) throw new Error("--pki DIR is required");
  return out;
}

async function main() {
  const args = parseArgs(process.argv);
  const serverCertificateManager = new OPCUACertificateManager({
    automaticallyAcceptUnknownCertificate: true, rootFolder: `${args.pki}/server`,
  });
  const userCertificateManager = new OPCUACertificateManager({
    automaticallyAcceptUnknownCertificate: true, rootFolder: `${args.pki}/user`,
  });
  const server = new OPCUAServer({
    host: "127.0.0.1", hostname: "127.0.0.1", port: args.port, resourcePath: "/",
    serverCertificateManager, userCertificateManager,
    securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign,
                    MessageSecurityMode.SignAndEncrypt],
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256,
                       SecurityPolicy.Aes128_Sha256_RsaOaep],
    allowAnonymous: true,
    disableDiscovery: true,
    userManager: { isValidUser: (user, password) => args.users[user] === password },
    serverInfo: { applicationUri: "urn:spindle-test:opcua-peer" },
    buildInfo: { productName: "spindle-opcua-test-peer", buildNumber: "1", buildDate: new Date() },
    serverCapabilities: { maxMonitoredItemsPerCall: 100000 },
  });
  await server.initialize();
  const space = server.engine.addressSpace;
  const cncNs = space.registerNamespace("http://spindle.test/cnc");
  const robotNs = space.registerNamespace("http://spindle.test/robot");

  const state = { tick: 0, partCount: 0, feedOverride: 100 };
  const variable = (ns, parent, name, dataType, get, extra = {}) =>
    ns.addVariable({
      componentOf: parent, browseName: name, nodeId: `s=${parent.browseName.name}.${name}`,
      dataType, minimumSamplingInterval: Math.min(args.interval, 100),
      value: { get }, ...extra,
    });

  const cnc = cncNs.addObject({ organizedBy: space.rootFolder.objects, browseName: "CNC1",
                                nodeId: "s=CNC1" });
  const t = () => state.tick;
  variable(cncNs, cnc, "SpindleSpeed", "Double",
           () => new Variant({ dataType: DataType.Double, value: 1000 + 500 * Math.sin(t() / 10) }));
  variable(cncNs, cnc, "PartCount", "Int32",
           () => new Variant({ dataType: DataType.Int32, value: state.partCount }));
  const modes = ["READY", "ACTIVE", "ACTIVE", "INTERRUPTED", "STOPPED"];
  variable(cncNs, cnc, "Execution", "String",
           () => new Variant({ dataType: DataType.String, value: modes[Math.floor(t() / 20) % 5] }));
  variable(cncNs, cnc, "Running", "Boolean",
           () => new Variant({ dataType: DataType.Boolean, value: Math.floor(t() / 20) % 5 !== 0 }));
  variable(cncNs, cnc, "Axes", "Double", () => new Variant({
    dataType: DataType.Double, arrayType: VariantArrayType.Array,
    value: new Float64Array([t() * 0.5, -t() * 0.25, 100 + (t() % 10)]) }), { valueRank: 1 });
  variable(cncNs, cnc, "Heat", "Double", () => new Variant({
    dataType: DataType.Double, arrayType: VariantArrayType.Matrix, dimensions: [2, 3],
    value: new Float64Array([20, 21, 22, 30, 31, 32 + (t() % 3)]) }), { valueRank: 2 });
  variable(cncNs, cnc, "Range", "Range", () => new Variant({
    dataType: DataType.ExtensionObject,
    value: space.constructExtensionObject(coerceNodeId("i=884"), { low: 0, high: 100 + (t() % 5) }),
  }));
  variable(cncNs, cnc, "FeedOverride", "Double",
           () => new Variant({ dataType: DataType.Double, value: state.feedOverride }), {
             accessLevel: "CurrentRead | CurrentWrite", userAccessLevel: "CurrentRead | CurrentWrite",
             value: {
               get: () => new Variant({ dataType: DataType.Double, value: state.feedOverride }),
               set: (v) => { state.feedOverride = v.value; return StatusCodes.Good; },
             },
           });
  const reset = cncNs.addMethod(cnc, { browseName: "ResetPartCount", nodeId: "s=CNC1.ResetPartCount",
                                       inputArguments: [], outputArguments: [] });
  reset.bindMethod((inputs, context, callback) => {
    state.partCount = 0;
    callback(null, { statusCode: StatusCodes.Good, outputArguments: [] });
  });
  const load = cncNs.addObject({ componentOf: cnc, browseName: "Load", nodeId: "s=Load" });
  for (let i = 1; i <= args.items; ++i) {
    cncNs.addVariable({
      componentOf: load, browseName: `Item${i}`, nodeId: `s=Load.Item${i}`, dataType: "Double",
      minimumSamplingInterval: Math.min(args.interval, 100),
      value: { get: () => new Variant({ dataType: DataType.Double, value: i + (t() % 100) / 100 }) },
    });
  }

  const robot = robotNs.addObject({ organizedBy: space.rootFolder.objects, browseName: "Robot1",
                                    nodeId: "s=Robot1" });
  variable(robotNs, robot, "Joints", "Double", () => new Variant({
    dataType: DataType.Double, arrayType: VariantArrayType.Array,
    value: new Float64Array([1, 2, 3, 4, 5, 6].map((j) => j * 10 + Math.sin(t() / j))) }),
    { valueRank: 1 });
  variable(robotNs, robot, "Mode", "String",
           () => new Variant({ dataType: DataType.String, value: t() % 50 < 25 ? "AUTO" : "T1" }));

  const timer = setInterval(() => {
    state.tick += 1;
    if (state.tick % 10 === 0) state.partCount += 1;
  }, args.interval);

  await server.start();
  process.stdout.write(`ready ${server.getEndpointUrl()}\n`);
  space.getNamespaceArray().forEach((ns, index) => process.stdout.write(`namespace ${index} ${ns.namespaceUri}\n`));
  const stop = async () => {
    clearInterval(timer);
    await server.shutdown(100);
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e) => {
  process.stderr.write(`opcua test peer: ${e.stack || e}\n`);
  process.exit(1);
});
