using Gatehouse.Configuration;

namespace Gatehouse.Health;

/// <summary>A cluster's gRPC health probe (grpc.health.v1.Health/Check for <see cref="Service"/>); none when it probes with GET.</summary>
public sealed record GrpcHealthCheck(string Service)
{
    public static GrpcHealthCheck? From(ClusterDefinition cluster) =>
        cluster.HealthCheck.Active.Grpc is { } grpc ? new GrpcHealthCheck(grpc.Service ?? "") : null;
}
