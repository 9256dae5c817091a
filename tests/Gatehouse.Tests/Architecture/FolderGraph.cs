using Gatehouse.Configuration;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Gatehouse.Tests.Architecture;

/// <summary>
/// Which folder of src/Gatehouse uses which, read from the compiled assembly (every type a type's signatures, attributes
/// and method bodies name, closures and state machines included), so no source spelling escapes it. A folder is the
/// namespace segment after <c>Gatehouse.</c>: each folder's files declare <c>Gatehouse.Folder</c> or a namespace below it.
/// </summary>
internal static class FolderGraph
{
    public static Dictionary<string, SortedSet<(string To, string Because)>> Read(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var own = module.GetTypes().Select(t => t.FullName).ToHashSet(StringComparer.Ordinal);
        var edges = new Dictionary<string, SortedSet<(string, string)>>(StringComparer.Ordinal);
        foreach (var type in module.GetTypes())
        {
            var from = FolderOf(type, own);
            if (from is null)
            {
                continue;
            }

            var set = edges.TryGetValue(from, out var existing) ? existing : edges[from] = [];
            foreach (var used in UsedTypes(type))
            {
                if (FolderOf(used, own) is { } to && to != from)
                {
                    set.Add((to, $"{Outermost(type).FullName} uses {used.FullName}"));
                }
            }
        }

        return edges;
    }

    /// <summary>The folder of a Gatehouse type (nested types count as their outermost type's); null for others.</summary>
    private static string? FolderOf(TypeReference type, HashSet<string> own)
    {
        while (type is TypeSpecification spec)
        {
            type = spec.ElementType;
        }

        // A function pointer type (delegate* unmanaged) has no element type.
        if (type is null)
        {
            return null;
        }

        var outer = type;
        while (outer.DeclaringType is not null)
        {
            outer = outer.DeclaringType;
        }

        // Generic parameters, other assemblies' types, and the compiler's own helpers (<>z__ReadOnlyArray, anonymous types).
        if (outer is GenericParameter || !own.Contains(outer.FullName) || outer.Name.StartsWith('<'))
        {
            return null;
        }

        var parts = outer.Namespace.Split('.');
        return parts.Length >= 2 && parts[0] == "Gatehouse" ? parts[1] : parts.Length == 1 && parts[0] == "" ? "(global)" : null;
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static IEnumerable<TypeReference> UsedTypes(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            if (t is null)
            {
                return;
            }

            found.Add(t);
            if (t is GenericInstanceType generic)
            {
                foreach (var argument in generic.GenericArguments)
                {
                    Add(argument);
                }
            }
            else if (t is TypeSpecification spec)
            {
                Add(spec.ElementType);
            }
        }

        void AddMember(MemberReference? member)
        {
            switch (member)
            {
                case TypeReference t:
                    Add(t);
                    break;
                case MethodReference m:
                    Add(m.DeclaringType);
                    Add(m.ReturnType);
                    foreach (var p in m.Parameters)
                    {
                        Add(p.ParameterType);
                    }

                    if (m is GenericInstanceMethod gm)
                    {
                        foreach (var a in gm.GenericArguments)
                        {
                            Add(a);
                        }
                    }

                    break;
                case FieldReference f:
                    Add(f.DeclaringType);
                    Add(f.FieldType);
                    break;
            }
        }

        void AddAttributes(ICustomAttributeProvider provider)
        {
            foreach (var attribute in provider.CustomAttributes)
            {
                AddMember(attribute.Constructor);
            }
        }

        Add(type.BaseType);
        AddAttributes(type);
        foreach (var i in type.Interfaces)
        {
            Add(i.InterfaceType);
        }

        foreach (var field in type.Fields)
        {
            Add(field.FieldType);
            AddAttributes(field);
        }

        foreach (var property in type.Properties)
        {
            Add(property.PropertyType);
            AddAttributes(property);
        }

        foreach (var method in type.Methods)
        {
            AddMember(method);
            AddAttributes(method);
            if (!method.HasBody)
            {
                continue;
            }

            foreach (var variable in method.Body.Variables)
            {
                Add(variable.VariableType);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                AddMember(instruction.Operand as MemberReference);
            }
        }

        return found;
    }
}
