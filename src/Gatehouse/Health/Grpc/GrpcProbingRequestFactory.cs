using System.Net.Http.Headers;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Health;

/// <summary>
/// YARP's probing request factory, with gRPC health probes for clusters whose <c>healthCheck.active.grpc</c> is set:
/// POST grpc.health.v1.Health/Check over the cluster's HTTP version (h2c for an h2c:// cluster). The answer is judged
/// by <see cref="GrpcHealthProbeHandler"/> on the cluster's client, which turns it into 200 or 503 for the policy.
/// </summary>
internal sealed class GrpcProbingRequestFactory(IProbingRequestFactory http, GenerationHolder generations) : IProbingRequestFactory
{
    public HttpRequestMessage CreateRequest(ClusterModel cluster, DestinationModel destination)
    {
        if (generations.Current.Cluster<GrpcHealthCheck>(cluster.Config.ClusterId) is not { } grpc)
        {
            return http.CreateRequest(cluster, destination);
        }

        var address = !string.IsNullOrEmpty(destination.Config.Health) ? destination.Config.Health : destination.Config.Address;
        var request = new HttpRequestMessage(HttpMethod.Post, address.TrimEnd('/') + GrpcHealthMessages.CheckPath)
        {
            Version = cluster.Config.HttpRequest?.Version ?? System.Net.HttpVersion.Version20,
            VersionPolicy = cluster.Config.HttpRequest?.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower,
            Content = new ByteArrayContent(GrpcHealthMessages.Request(grpc.Service)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (!string.IsNullOrEmpty(destination.Config.Host))
        {
            request.Headers.Host = destination.Config.Host;
        }

        request.Options.Set(GrpcHealthProbeHandler.IsGrpcProbe, true);
        return request;
    }

    public ValueTask<HttpRequestMessage> CreateRequestAsync(ClusterState cluster, DestinationState destination, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(CreateRequest(cluster.Model, destination.Model));
}
